// The facilitator's live view: poll the campaign's JSON every few seconds and update the
// counts and the table in place (no page reload, no inline script: the CSP allows 'self').
const root = document.getElementById("live");
const INTERVAL_MS = 4000;

function cell(text, numeric) {
  const td = document.createElement("td");
  td.className = "govuk-table__cell" + (numeric ? " govuk-table__cell--numeric" : " app-wrap");
  td.textContent = String(text);
  return td;
}

function render(data) {
  for (const el of root.querySelectorAll("[data-live]")) {
    const value = data[el.dataset.live];
    if (value !== undefined && el.textContent !== String(value)) el.textContent = String(value);
  }
  const body = document.getElementById("live-top");
  const rows = data.top.map((idea) => {
    const tr = document.createElement("tr");
    tr.className = "govuk-table__row";
    tr.append(cell(idea.title, false), cell(idea.status, false), cell(idea.dots, true));
    return tr;
  });
  body.replaceChildren(...rows);
}

async function poll() {
  try {
    const response = await fetch(root.dataset.source, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) render(await response.json());
  } catch (error) {
    // A dropped connection on the day: try again at the next tick.
  }
  window.setTimeout(poll, INTERVAL_MS);
}

if (root) window.setTimeout(poll, INTERVAL_MS);
