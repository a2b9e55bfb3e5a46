// Runs PGlite with pgvector behind the Postgres wire protocol for taiwa.
//
// Usage: node launcher.mjs DATA_DIR
//
// It listens on a free loopback port and prints one JSON line
// {"port": N} on stdout once it accepts connections. It shuts down
// cleanly (closing the database so everything is flushed to disk) on
// SIGTERM, SIGINT, or when its stdin closes: taiwa keeps stdin open for as
// long as it runs, so even if taiwa is killed this process does not outlive it.
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

const dataDir = process.argv[2]
if (!dataDir) {
  console.error('usage: node launcher.mjs DATA_DIR')
  process.exit(2)
}

const db = await PGlite.create(dataDir, { extensions: { vector } })
// Several client connections may be open at once (the server and, say, psql);
// pglite-socket runs one query at a time and keeps a transaction's queries together.
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 })
await server.start()
const port = Number(server.getServerConn().split(':').pop())

let closing = false
async function shutdown(code) {
  if (closing) return
  closing = true
  try {
    await server.stop()
    await db.close()
  } catch (err) {
    console.error('pglite: shutdown:', err?.message ?? err)
    code = 1
  }
  process.exit(code)
}
process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))
process.stdin.on('end', () => shutdown(0))
process.stdin.on('error', () => shutdown(0))
process.stdin.resume()

process.stdout.write(JSON.stringify({ port }) + '\n')
