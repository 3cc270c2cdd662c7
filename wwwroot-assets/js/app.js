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

// The reconnect and error banners' buttons (no inline handlers: the Content-Security-Policy allows no inline script).
document.addEventListener('click', function (event) {
    const target = event.target instanceof Element ? event.target : null;
    const action = target?.closest('[data-reconnect-action]')?.getAttribute('data-reconnect-action');
    if (action === 'retry') { Blazor.reconnect(); return; }
    if (action === 'reload') { location.reload(); return; }
    const dismiss = target?.closest('#blazor-error-ui .dismiss');
    if (dismiss) { event.preventDefault(); dismiss.parentElement.style.display = 'none'; }
});
