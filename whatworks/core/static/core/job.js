// A job's page: ask for its progress every second and update the page in place; when the
// job has finished, load the page again to show the result (without JavaScript a
// <noscript> refresh does the same every 3 seconds).
const root = document.getElementById("job");
const INTERVAL_MS = 1000;
const format = new Intl.NumberFormat("en-GB");

function render(data) {
  const bar = document.getElementById("job-progress");
  if (data.percent !== null) {
    bar.value = data.percent;
    bar.textContent = `${data.percent}%`;
  }
  for (const el of root.querySelectorAll("[data-job]")) {
    let value = data[el.dataset.job];
    if (typeof value === "number") value = format.format(value);
    if (value !== undefined && el.textContent !== String(value)) el.textContent = String(value);
  }
}

async function poll() {
  try {
    const response = await fetch(root.dataset.source, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const data = await response.json();
      if (data.finished) {
        window.location.reload();
        return;
      }
      render(data);
    }
  } catch (error) {
    // A dropped connection: try again at the next tick.
  }
  window.setTimeout(poll, INTERVAL_MS);
}

if (root && root.dataset.source) window.setTimeout(poll, INTERVAL_MS);
