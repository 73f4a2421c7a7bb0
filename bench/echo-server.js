// The ceiling: a bare uWebSockets.js server that echoes a JSON body, nothing else.
// Same body sizes and connection handling as the check-in scenario, none of the work.
import uWS from 'uWebSockets.js';

const port = Number(process.argv[2] ?? 0);
uWS
  .App()
  .post('/*', (res) => {
    let body = Buffer.alloc(0);
    res.onAborted(() => {});
    res.onData((chunk, isLast) => {
      body = Buffer.concat([body, Buffer.from(new Uint8Array(chunk))]);
      if (isLast) {
        const echoed = JSON.stringify({ echo: JSON.parse(body.toString()) });
        res.cork(() => res.writeStatus('201 Created').writeHeader('Content-Type', 'application/json').end(echoed));
      }
    });
  })
  .listen('127.0.0.1', port, (s) => {
    if (!s) process.exit(1);
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: uWS.us_socket_local_port(s) })}\n`);
  });
