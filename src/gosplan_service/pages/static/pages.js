// The planning office's pages: buttons and forms call the JSON API with the session cookie;
// a failure shows the API's problem document (detail, and each errors[].field/message).
"use strict";

function problemBox(element) {
  const holder = element.closest("form, section, main") || document;
  return holder.querySelector("[data-problem]");
}

function showProblem(element, problem) {
  const box = problemBox(element);
  if (!box) return;
  box.replaceChildren();
  const summary = document.createElement("p");
  const title = document.createElement("strong");
  title.textContent = (problem.title || "Error") + (problem.status ? " (" + problem.status + ")" : "");
  summary.append(title, document.createTextNode(": " + (problem.detail || "The request failed.")));
  box.append(summary);
  if (Array.isArray(problem.errors) && problem.errors.length) {
    const list = document.createElement("ul");
    for (const error of problem.errors) {
      const item = document.createElement("li");
      const field = document.createElement("code");
      field.textContent = error.field;
      item.append(field, document.createTextNode(": " + error.message));
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

async function callApi(element, url, body) {
  const headers = { "Content-Type": "application/json", "Accept": "application/json" };
  if (element.dataset.ifMatch) headers["If-Match"] = element.dataset.ifMatch;
  if (element.dataset.idempotent !== undefined) {
    element.dataset.key = element.dataset.key || crypto.randomUUID();
    headers["Idempotency-Key"] = element.dataset.key;
  }
  const response = await fetch(url, {
    method: element.dataset.method || "POST",
    headers: headers,
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  let answer = {};
  try { answer = await response.json(); } catch (e) { answer = {}; }
  if (!response.ok) {
    if (response.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(location.pathname)); }
    showProblem(element, Object.assign({ status: response.status }, answer));
    delete element.dataset.key;
    return null;
  }
  return answer;
}

function nextPage(element, answer) {
  const then = element.dataset.then;
  if (then === "reload") return null;
  if (then) return then.replace("{id}", encodeURIComponent(String(answer && answer.id)));
  const job = answer && answer.kind !== undefined && answer.progress !== undefined ? answer.id : null;
  return job ? "/jobs/" + encodeURIComponent(String(job)) : null;
}

async function finish(element, answer) {
  const target = nextPage(element, answer);
  const done = element.querySelector && element.querySelector("[data-done]");
  if (target) { window.location.assign(target); return; }
  if (done) { done.hidden = false; }
  window.location.reload();
}

// A form's body: each [data-field] outside the rows (a dotted name nests: "approval.quorum"
// gives {approval: {quorum: ...}}; disabled fields are left out), and, where the form has
// [data-row] rows, their non-blank cells as "rows".
function readRows(form) {
  const top = {};
  const rows = [];
  for (const input of form.querySelectorAll("[data-field]")) {
    if (input.closest("[data-row]") || input.disabled) continue;
    const path = input.dataset.field.split(".");
    let holder = top;
    for (const key of path.slice(0, -1)) { holder = holder[key] = holder[key] || {}; }
    holder[path[path.length - 1]] = typed(input);
  }
  const rowElements = form.querySelectorAll("[data-row]");
  for (const tr of rowElements) {
    const row = {};
    for (const input of tr.querySelectorAll("[data-field]")) {
      if (input.value.trim() !== "") row[input.dataset.field] = typed(input);
    }
    if (Object.keys(row).length) rows.push(row);
  }
  if (rowElements.length) top.rows = rows;
  return top;
}

// An input with data-enabled-if="ID=VALUE" is enabled only while the element ID has VALUE.
function linkEnabled(input) {
  const [id, value] = input.dataset.enabledIf.split("=");
  const source = document.getElementById(id);
  if (!source) return;
  const update = () => { input.disabled = source.value !== value; };
  source.addEventListener("change", update);
  update();
}

function typed(input) {
  const text = input.value.trim();
  if (input.dataset.type === "int" || input.dataset.type === "number") {
    return text === "" ? null : Number(text);
  }
  return text;
}

function addRow(button) {
  const body = button.closest("form").querySelector("tbody");
  const last = body.querySelector("[data-row]:last-of-type");
  const copy = last.cloneNode(true);
  for (const input of copy.querySelectorAll("input")) { input.value = ""; }
  body.append(copy);
}

async function pollJob(holder) {
  let response;
  try {
    response = await fetch(holder.dataset.jobUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } });
  } catch (e) {
    setTimeout(() => pollJob(holder), 2000);
    return;
  }
  const job = await response.json().catch(() => ({}));
  if (!response.ok) { showProblem(holder, Object.assign({ status: response.status }, job)); return; }
  holder.dataset.status = job.status;
  holder.querySelector("[data-job-status]").textContent = job.status;
  holder.querySelector("[data-job-progress]").value = job.progress || 0;
  holder.querySelector("[data-job-percent]").textContent = Math.round((job.progress || 0) * 100) + " %";
  holder.querySelector("[data-job-message]").textContent = job.message || "";
  if (job.status === "done" || job.status === "failed") {
    holder.querySelector("[data-job-result]").hidden = false;
    return;
  }
  setTimeout(() => pollJob(holder), 1000);
}

async function waitForCheck(holder) {
  const response = await fetch(holder.dataset.checkPending, { credentials: "same-origin", headers: { "Accept": "application/json" } });
  const offer = await response.json().catch(() => ({}));
  if (response.ok && (offer.check || offer.status !== "submitted")) { window.location.reload(); return; }
  if (response.ok) setTimeout(() => waitForCheck(holder), 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-api]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      const answer = await callApi(button, button.dataset.api, JSON.parse(button.dataset.body || "{}"));
      if (answer !== null) { await finish(button, answer); } else { button.disabled = false; }
    });
  }
  for (const form of document.querySelectorAll("form.api-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const answer = await callApi(form, form.dataset.api, readRows(form));
      if (answer !== null) await finish(form, answer);
    });
  }
  for (const input of document.querySelectorAll("[data-enabled-if]")) { linkEnabled(input); }
  for (const button of document.querySelectorAll("[data-add-row]")) {
    button.addEventListener("click", () => addRow(button));
  }
  const pending = document.querySelector("[data-check-pending]");
  if (pending) waitForCheck(pending);
  const job = document.querySelector("[data-job-url]");
  if (job && job.dataset.status !== "done" && job.dataset.status !== "failed") pollJob(job);
});
