/** Where the Stately inspector UI lives; the bridge page embeds it (the browser loads it, the process never does). */
export const STATELY_INSPECT_URL = 'https://stately.ai/inspect';

/**
 * The page the printed URL serves: it embeds the Stately inspector in an iframe and relays
 * every frame from the local WebSocket to it with postMessage, buffering until the
 * inspector reports `@statelyai.connected` — the protocol of @statelyai/inspect's own
 * inspector server, with the socket address on loopback.
 */
export function bridgePage(wsUrl: string, inspectorUrl = STATELY_INSPECT_URL): string {
  return `<!DOCTYPE html>
<html>
<head>
  <title>Kubeactor — Stately Inspector</title>
  <style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style>
</head>
<body>
  <iframe id="inspector" src="${inspectorUrl}"></iframe>
  <script>
    const iframe = document.getElementById('inspector');
    const buffer = [];
    let connected = false;
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === '@statelyai.connected') {
        connected = true;
        for (const ev of buffer) iframe.contentWindow.postMessage(ev, '*');
        buffer.length = 0;
      }
    });
    const ws = new WebSocket(${JSON.stringify(wsUrl)});
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (connected) iframe.contentWindow.postMessage(data, '*');
      else buffer.push(data);
    };
  </script>
</body>
</html>`;
}
