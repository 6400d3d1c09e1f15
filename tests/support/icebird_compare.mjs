// tests/support/icebird_compare.mjs - read a table with icebird (an independent
// JavaScript Iceberg reader) and compare with the rows our reader produced.
//   node icebird_compare.mjs TABLE_URL OURS.json ORDER_COLUMN
//   node icebird_compare.mjs --metadata METADATA.json OURS.json ORDER_COLUMN
// Exits 1 with the first difference. Values are compared after normalising
// the two libraries' representations (BigInt, Date, timestamps as text).
// With --metadata, the table is the one a catalog served (the "metadata" of
// rat serve's LoadTableResult), whose manifests and data files are local
// paths: icebird's fetch() is then given a reader of local files (GET with a
// Range, HEAD with the length), for absolute paths and file:// URLs only.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs'
import { icebergRead } from 'icebird'

const args = process.argv.slice(2)
const local = args[0] === '--metadata'
if (local) args.shift()
const [tableUrl, oursFile, orderBy] = args
const ours = JSON.parse(readFileSync(oursFile, 'utf8'))

function localFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input.url
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url
  if (!path.startsWith('/')) throw new Error(`not a local file: ${url}`)
  const size = statSync(path).size
  if ((init.method || 'GET') === 'HEAD') {
    return Promise.resolve(new Response(null, { status: 200, headers: { 'content-length': String(size) } }))
  }
  const range = new Headers(init.headers || {}).get('range')
  let start = 0
  let end = size - 1
  const m = range && /^bytes=(\d*)-(\d*)$/.exec(range)
  if (m && m[1] === '') start = Math.max(0, size - Number(m[2]))
  else if (m) {
    start = Number(m[1])
    if (m[2] !== '') end = Math.min(size - 1, Number(m[2]))
  }
  const buf = Buffer.alloc(Math.max(0, end - start + 1))
  const fd = openSync(path, 'r')
  try { readSync(fd, buf, 0, buf.length, start) } finally { closeSync(fd) }
  return Promise.resolve(new Response(buf, { status: m ? 206 : 200, headers: { 'content-length': String(buf.length) } }))
}

let theirs
if (local) {
  globalThis.fetch = localFetch
  const metadata = JSON.parse(readFileSync(tableUrl, 'utf8'))
  theirs = await icebergRead({ tableUrl: metadata.location, metadata })
} else {
  theirs = await icebergRead({ tableUrl })
}

function norm(v) {
  if (v === undefined || v === null) return null
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?(\+00)?$/.test(v)) {
    const iso = v.length === 10 ? v + 'T00:00:00Z' : v.replace(' ', 'T').replace(/\+00$/, '') + 'Z'
    return new Date(iso).toISOString()
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (Array.isArray(v)) return v.map(norm)
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]))
  return v
}
function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a))
  return JSON.stringify(a) === JSON.stringify(b)
}

theirs.sort((a, b) => Number(norm(a[orderBy])) - Number(norm(b[orderBy])))
if (theirs.length !== ours.length) {
  console.error(`icebird read ${theirs.length} rows, we read ${ours.length}`)
  process.exit(1)
}
for (let i = 0; i < ours.length; i++) {
  for (const [column, value] of Object.entries(ours[i])) {
    if (!same(norm(theirs[i][column]), norm(value))) {
      console.error(`row ${i} column ${column}: icebird ${JSON.stringify(norm(theirs[i][column]))}, we ${JSON.stringify(norm(value))}`)
      process.exit(1)
    }
  }
}
console.log(`${ours.length} rows match`)
