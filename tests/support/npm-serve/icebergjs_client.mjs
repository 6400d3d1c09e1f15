// tests/support/npm-serve/icebergjs_client.mjs - `rat serve` driven by
// iceberg-js, a real Iceberg REST client (npm, pinned in package-lock.json).
//   node icebergjs_client.mjs SERVE_URL TOKEN
// with RAT_BIN, RAT_TABLE_TOOL, TOKEN_B (workspace b's token) and the
// workspaces a and b in the environment (RAT_WORKSPACES).
// Namespaces (the layers, and one made, given properties, holding a table,
// then dropped) and tables with and without a warehouse; a commit adding a
// snapshot of Parquet files written outside the catalog (by table_tool, in
// the table's folder), which `rat query` then reads; a stale commit (409); a branch prefix that
// does not see the change until `rat merge`. Prints one line per step;
// exits 1 at the first step that does not hold.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { IcebergRestCatalog, IcebergError } from 'iceberg-js'

const [url, token] = process.argv.slice(2)
const auth = { type: 'bearer', token }
let steps = 0

function check(cond, what) {
  if (!cond) {
    console.error(`FAIL: ${what}`)
    process.exit(1)
  }
  steps++
}
async function rejects(promise, status, what) {
  try {
    await promise
  } catch (e) {
    check(e instanceof IcebergError && e.status === status, `${what}: expected ${status}, got ${e.status} ${e.message}`)
    return e
  }
  check(false, `${what}: expected ${status}, it succeeded`)
}
function rat(...args) {
  return execFileSync(process.env.RAT_BIN, args, { encoding: 'utf8' })
}
const names = (list) => list.namespaces.map((n) => (n.namespace ?? n).join('.')).sort()

// without a warehouse: the token's workspace branch
const plain = new IcebergRestCatalog({ baseUrl: `${url}/iceberg`, auth })
check(JSON.stringify(names(await plain.listNamespaces())) === '["bronze","gold","silver"]', 'list namespaces')
check(await plain.namespaceExists({ namespace: ['silver'] }), 'silver exists')
check(!(await plain.namespaceExists({ namespace: ['nowhere'] })), 'nowhere does not')
const meta = await plain.loadNamespaceMetadata({ namespace: ['gold'] })
check(meta && typeof meta.properties === 'object', 'namespace metadata')
await rejects(plain.createNamespace({ namespace: ['silver'] }), 409, 'create an existing namespace')
await rejects(plain.dropNamespace({ namespace: ['gold'] }), 409, 'drop a layer')
const page = await plain.listNamespaces({ pageSize: 2 })
check(page.namespaces.length === 2 && page.nextPageToken, 'a page of namespaces')

// with the workspace as the warehouse: the prefix comes from GET /v1/config
const cat = new IcebergRestCatalog({ baseUrl: `${url}/iceberg`, warehouse: 'a', auth })
const config = await cat.loadConfig()
check(config.overrides.prefix === '-|a', `config prefix: ${JSON.stringify(config)}`)
const schema = {
  type: 'struct', 'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'msg', type: 'string', required: false },
  ],
}
const id = { namespace: ['silver'], name: 'js_events' }
await cat.createTable({ namespace: ['silver'] }, { name: 'js_events', schema, properties: { owner: 'js' } })
await rejects(cat.createTable({ namespace: ['silver'] }, { name: 'js_events', schema }), 409, 'create it twice')
const tables = await cat.listTables({ namespace: ['silver'] })
check(tables.identifiers.some((t) => t.name === 'js_events'), 'list tables')
check(await cat.tableExists(id), 'table exists')
let table = await cat.loadTable(id)
check(table.properties.owner === 'js' && table['format-version'] === 2, 'load table')
const result = await cat.loadTableResult(id)
check(result.etag, 'an ETag')
check((await cat.loadTable(id, { ifNoneMatch: result.etag })) === null, '304 on If-None-Match')
await cat.updateTable(id, { requirements: [], updates: [{ action: 'set-properties', updates: { stage: 'raw' } }] })
table = await cat.loadTable(id)
check(table.properties.stage === 'raw', 'properties updated')

// a branch made now
rat('branch', 'create', 'dev/js', '-w', 'a')

// a snapshot of files written outside the catalog: Parquet and manifests in the table's folder
function writeOutside(location, sql) { // the manifest list of the snapshot written
  execFileSync(process.env.RAT_TABLE_TOOL, ['write', location, sql])
  const hint = readFileSync(`${location}/metadata/version-hint.text`, 'utf8').trim()
  const written = JSON.parse(readFileSync(`${location}/metadata/v${hint}.metadata.json`, 'utf8'))
  return written.snapshots.at(-1)['manifest-list']
}
const commitOf = (uuid, manifestList) => (sid, parent, seq) => ({
  requirements: [
    { type: 'assert-table-uuid', uuid },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent },
  ],
  updates: [
    { action: 'add-snapshot', snapshot: { 'snapshot-id': sid, 'sequence-number': seq, 'timestamp-ms': Date.now(),
      'manifest-list': manifestList, summary: { operation: 'append' }, 'schema-id': 0 } },
    { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': sid },
  ],
})
const commit = commitOf(table['table-uuid'],
  writeOutside(table.location, "select i::bigint as id, 'm' || i as msg from range(5) t(i)"))
await cat.commitTable(id, commit(101, null, 1))
const rows = rat('query', '-w', 'a', '--format', 'csv', 'select count(*) as n, sum(id) as s from silver.js_events')
check(rows.trim().split('\n')[1] === '5,10', `rat query sees the rows: ${rows}`)
await rejects(cat.commitTable(id, commit(102, null, 2)), 409, 'a stale commit')

// the branch prefix does not see the snapshot until rat merge
const branch = new IcebergRestCatalog({ baseUrl: `${url}/iceberg`, warehouse: 'dev/js', auth })
let onBranch = await branch.loadTable(id)
check(onBranch['current-snapshot-id'] === -1 && onBranch.snapshots.length === 0, 'the branch before the merge')
rat('merge', 'workspace/a', '--into', 'dev/js', '-w', 'a')
onBranch = await branch.loadTable(id)
check(onBranch['current-snapshot-id'] === 101, 'the branch after the merge')

// rename, drop (with purge), register
await cat.renameTable({ source: id, destination: { namespace: ['gold'], name: 'js_events' } })
check(!(await cat.tableExists(id)), 'renamed away')
const moved = await cat.loadTableResult({ namespace: ['gold'], name: 'js_events' })
check(moved.metadata['current-snapshot-id'] === 101, 'renamed table')
await cat.registerTable({ namespace: ['bronze'] }, { name: 'js_copy', 'metadata-location': moved['metadata-location'] })
check(await cat.tableExists({ namespace: ['bronze'], name: 'js_copy' }), 'registered')
await cat.dropTable({ namespace: ['bronze'], name: 'js_copy' }, { purge: true })
check(!(await cat.tableExists({ namespace: ['bronze'], name: 'js_copy' })), 'dropped')
await rejects(cat.loadTable({ namespace: ['bronze'], name: 'js_copy' }), 404, 'load a dropped table')

// a namespace beyond the layers: made with properties, listed, holding a table whose
// committed rows rat query reads, not dropped while it holds it, then dropped
const ns = { namespace: ['js_ns'] }
await cat.createNamespace(ns, { properties: { owner: 'js' } })
check(names(await cat.listNamespaces()).includes('js_ns'), 'the new namespace is listed')
check(await plain.namespaceExists(ns), 'the workspace branch has it, with or without a warehouse')
await rejects(cat.createNamespace(ns), 409, 'create the namespace twice')
check((await cat.loadNamespaceMetadata(ns)).properties.owner === 'js', 'its properties')
const upd = await cat.updateNamespaceProperties(ns, { removals: ['owner'], updates: { team: 'data' } })
check(JSON.stringify(upd.updated) === '["team"]' && JSON.stringify(upd.removed) === '["owner"]',
  `properties updated: ${JSON.stringify(upd)}`)
check(JSON.stringify((await cat.loadNamespaceMetadata(ns)).properties) === '{"team":"data"}', 'properties after')
const nsId = { namespace: ['js_ns'], name: 'orders' }
const nsTable = await cat.createTable(ns, { name: 'orders', schema })
check((await cat.listTables(ns)).identifiers.map((t) => t.name).join() === 'orders', 'its tables')
await cat.commitTable(nsId, commitOf(nsTable['table-uuid'],
  writeOutside(nsTable.location, "select i::bigint as id, 'o' || i as msg from range(4) t(i)"))(201, null, 1))
const nsRows = rat('query', '-w', 'a', '--format', 'csv', 'select count(*) as n, sum(id) as s from js_ns.orders')
check(nsRows.trim().split('\n')[1] === '4,6', `rat query sees js_ns.orders: ${nsRows}`)
await rejects(cat.dropNamespace(ns), 409, 'drop a namespace that holds a table')
await rejects(cat.createTable({ namespace: ['js_none'] }, { name: 't', schema }), 404, 'a table in no namespace')
await cat.dropTable(nsId, { purge: true })
await cat.dropNamespace(ns)
check(!(await cat.namespaceExists(ns)), 'the namespace is dropped')
check(!names(await cat.listNamespaces()).includes('js_ns'), 'and no longer listed')

// another workspace's token sees none of it
const other = new IcebergRestCatalog({ baseUrl: `${url}/iceberg`, auth: { type: 'bearer', token: process.env.TOKEN_B } })
await rejects(other.loadTable({ namespace: ['gold'], name: 'js_events' }), 404, "b's branch has no such table")
const otherOnA = new IcebergRestCatalog({ baseUrl: `${url}/iceberg`, warehouse: 'workspace/a', auth: { type: 'bearer', token: process.env.TOKEN_B } })
await rejects(otherOnA.loadTable({ namespace: ['gold'], name: 'js_events' }), 403, "b's token on a's branch")
await rejects(otherOnA.dropTable({ namespace: ['gold'], name: 'js_events' }), 403, "b's token dropping a's table")

console.log(`iceberg-js: ${steps} steps held`)
