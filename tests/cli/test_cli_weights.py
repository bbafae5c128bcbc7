"""multipliers and linkages on the command line: unlike units are said, --weights values them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gosplan.cli import app


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})


def test_output_multipliers_in_unlike_units_say_so_once():
    result = run("multipliers", "scenario:ussr-1928")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.count("add quantities of products in different units") == 1
    assert "--weights labour" in text


def test_weights_labour_values_the_output_and_the_note_goes():
    for command in ("multipliers", "linkages"):
        result = run(command, "scenario:ussr-1928", "--weights", "labour")
        assert result.exit_code == 0, result.output
        assert "different units" not in result.output


def test_weights_from_a_price_file(tmp_path: Path):
    prices = tmp_path / "prices.csv"
    prices.write_text("product,price\ncoal,1\n", encoding="utf-8")
    result = run("multipliers", "scenario:ussr-1928", "--weights", str(prices))
    assert result.exit_code == 2  # every product needs a price: bad input, named
    assert "price" in result.output
