/// The stylesheet and the script every page loads, compiled into the binary: the dashboard needs
/// no file beside it and loads nothing from elsewhere.
enum DashboardAssets {
    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1b1b1b; }
        header nav { padding: 0.8rem 0; border-bottom: 1px solid #ccc; margin-bottom: 1rem; }
        header nav a { margin-right: 1.2rem; font-weight: 600; }
        table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.92rem; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
        th { background: #f1f1f1; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .equivalent { color: #006d2c; font-weight: 600; }
        .not-equivalent { color: #8c2d04; }
        .note { color: #555; font-style: italic; }
        figure { margin: 0.5rem 0 1.5rem; }
        img.overlay { display: block; width: 128px; height: auto; image-rendering: pixelated; }
        section { margin-bottom: 1.5rem; }

        """

    /// Follows the event stream named by `<main data-events>`; after an event (at most every
    /// quarter second) fetches `<main data-fragment>` and puts it in place. `EventSource`
    /// reconnects by itself, sending the last event id it saw.
    static let script = """
        (function () {
          var main = document.getElementById("live");
          if (!main || !main.dataset.events || !window.EventSource) { return; }
          var pending = null;
          var source = new EventSource(main.dataset.events);
          source.onmessage = function (message) {
            main.dataset.lastEventId = message.lastEventId;
            if (pending) { return; }
            pending = setTimeout(function () {
              pending = null;
              fetch(main.dataset.fragment, { credentials: "same-origin" })
                .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
                .then(function (html) { main.innerHTML = html; main.dataset.refreshedAfter = main.dataset.lastEventId; })
                .catch(function () {});
            }, 250);
          };
        })();

        """
}
