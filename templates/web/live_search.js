// The search page's live search: started in the background, its progress shown, then its
// results page opened (web/live_jobs.py). Without this script the form searches in the request.
(function () {
  var form = document.querySelector("form.search");
  var box = document.getElementById("live-progress");
  var bar = document.getElementById("live-bar");
  var text = document.getElementById("live-text");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  function say(state) {
    if (state.stage === "fetching" && state.to_fetch > 0) {
      bar.max = state.to_fetch;
      bar.value = state.fetched;
      text.textContent = "Fetching and judging new records: " + state.fetched + " of " + state.to_fetch;
    } else if (state.stage === "fetching") {
      bar.removeAttribute("value");
      text.textContent = "Every record found is stored already; reading them…";
    } else if (state.finished) {
      text.textContent = "Done; showing the results…";
    } else {
      bar.removeAttribute("value");
      text.textContent = "Asking PubMed…";
    }
  }
  function follow(url, page) {
    fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (state) {
        say(state);
        if (state.finished) { window.location.href = state.page || page; }
        else { window.setTimeout(function () { follow(url, page); }, 250); }
      })
      .catch(function () { form.submit(); });
  }
  form.addEventListener("submit", function (event) {
    if (document.getElementById("local").checked) { return; }
    event.preventDefault();
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value !== "") { query.append(name, value); } });
    box.hidden = false;
    say({stage: "searching"});
    fetch("/api/live-searches?" + query.toString(), {
      method: "POST", headers: {Accept: "application/json"}, credentials: "same-origin"
    })
      .then(function (r) { if (r.status !== 202) { throw new Error(r.status); } return r.json(); })
      .then(function (started) { follow(started.status_url, started.page); })
      .catch(function () { form.submit(); });  // a refusal or a bad field: the page says why
  });
})();
