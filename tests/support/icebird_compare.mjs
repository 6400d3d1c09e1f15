// tests/support/icebird_compare.mjs - read a table with icebird (an independent
// JavaScript Iceberg reader) and compare with the rows our reader produced.
//   node icebird_compare.mjs TABLE_URL OURS.json ORDER_COLUMN
// Exits 1 with the first difference. Values are compared after normalising
// the two libraries' representations (BigInt, Date, timestamps as text).
import { readFileSync } from 'node:fs'
import { icebergRead } from 'icebird'

const [tableUrl, oursFile, orderBy] = process.argv.slice(2)
const ours = JSON.parse(readFileSync(oursFile, 'utf8'))
const theirs = await icebergRead({ tableUrl })

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
