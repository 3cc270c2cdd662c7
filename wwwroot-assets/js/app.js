// Small helpers called from Blazor components through JS interop.
window.rotationDashboard = {
    copyText: async function (text) {
        try { await navigator.clipboard.writeText(text); return true; }
        catch { return false; }
    }
};

// Lets tests (and support) see that the interactive circuit is live, not just the prerendered HTML.
window.rotationDashboard.markCircuitLive = function () { document.body.dataset.circuit = 'live'; };

// The admin's IANA time zone, so times show in local time (stored and compared in UTC on the server).
window.rotationDashboard.timeZone = function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone; } catch { return null; }
};
