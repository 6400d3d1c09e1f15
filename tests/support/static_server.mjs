// tests/support/static_server.mjs - serve a folder over HTTP on 127.0.0.1 for
// readers that fetch (icebird). Answers GET and HEAD, with Range support.
//   node static_server.mjs ROOT PORT
import { createServer } from 'node:http'
import { createReadStream, statSync } from 'node:fs'
import { join, normalize } from 'node:path'

const [root, port] = process.argv.slice(2)
const server = createServer((req, res) => {
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)))
  if (!path.startsWith(normalize(root))) { res.writeHead(403).end(); return }
  let size
  try { size = statSync(path).size } catch { res.writeHead(404).end(); return }
  const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range || '')
  const start = range ? Number(range[1]) : 0
  const end = range && range[2] ? Number(range[2]) : size - 1
  res.writeHead(range ? 206 : 200, {
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  })
  if (req.method === 'HEAD') { res.end(); return }
  createReadStream(path, { start, end }).pipe(res)
})
server.listen(Number(port), '127.0.0.1', () => console.log('listening'))
