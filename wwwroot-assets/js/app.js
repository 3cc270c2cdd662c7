// Small helpers called from Blazor components through JS interop.
window.rotationDashboard = {
    copyText: async function (text) {
        try { await navigator.clipboard.writeText(text); return true; }
        catch { return false; }
    }
};

// Lets tests (and support) see that the interactive circuit is live, not just the prerendered HTML.
window.rotationDashboard.markCircuitLive = function () { document.body.dataset.circuit = 'live'; };
