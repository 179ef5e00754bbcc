// The interop scenario with kafkajs 2.2.4: admin.createTopics; one producer
// run per compression codec (gzip is built in; snappy comes from the
// kafkajs-snappy codec package; lz4 and zstd from small codecs below over
// pure JavaScript / WebAssembly libraries (lz4js, zstd-codec), because the
// codec packages kafkajs points to, kafkajs-lz4 and @kafkajs/zstd, need native
// addons: the first ships macOS binaries unless rebuilt with node-gyp and Node's
// headers, the second does not build on Node 20); a group of two consumers that commit; admin.listGroups/
// describeGroups/fetchOffsets/fetchTopicOffsets while both are members; more
// records; a restarted group must resume at the commit. Writes consumed.jsonl
// for tests/interop/spec.py, whose record functions this file mirrors. (No
// produced.jsonl: kafkajs reports offsets per partition and batch, not per record.)
'use strict'

const fs = require('fs')
const path = require('path')
const {
  Kafka, CompressionTypes, CompressionCodecs, AssignerProtocol, logLevel,
} = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const lz4js = require('lz4js')
const lz4xxh32 = require('lz4js/xxh32')
const { ZstdCodec } = require('zstd-codec')

const ORIGIN = 'gregor-interop'
const KEYS = 37

function parseArgs (argv) {
  const a = {
    count: '10000', extra: '30', partitions: '3', codecs: 'none,gzip,snappy,lz4,zstd', timeout: '120',
  }
  for (let i = 0; i + 1 < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`bad argument ${argv[i]}`)
    a[argv[i].slice(2)] = argv[i + 1]
  }
  for (const k of ['bootstrap', 'topic', 'group', 'out']) {
    if (!a[k]) throw new Error(`missing --${k}`)
  }
  return {
    brokers: a.bootstrap.split(','),
    topic: a.topic,
    group: a.group,
    out: a.out,
    count: parseInt(a.count, 10),
    extra: parseInt(a.extra, 10),
    partitions: parseInt(a.partitions, 10),
    codecs: a.codecs.split(','),
    timeoutMs: parseFloat(a.timeout) * 1000,
    quietMs: 2000,
  }
}

const args = parseArgs(process.argv.slice(2))

// ------------------------------------------------------------ records (spec.py)

const codecOf = (i) => (i >= args.count ? 'none' : args.codecs[Math.floor(i * args.codecs.length / args.count)])
const keyOf = (i) => `key-${i % KEYS}`
const valueOf = (i) => `seq=${i};codec=${codecOf(i)};pad=${'x'.repeat(i % 64)}`
const headersOf = (i) => (i % 3 === 0 ? { origin: ORIGIN, codec: codecOf(i) } : undefined)

function seqOf (v) {
  const m = /^seq=(\d+)(;|$)/.exec(v || '')
  return m ? parseInt(m[1], 10) : -1
}

const COMPRESSION = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

// A kafkajs codec for lz4: the LZ4 frame format Kafka uses, written here over
// lz4js's block compressor. lz4js's own frame writer marks blocks as dependent,
// which Kafka rejects ("Dependent block stream is unsupported", as
// UNKNOWN_SERVER_ERROR); this writer declares independent 64 KiB blocks, each
// compressed with a fresh match table, like Kafka's own writer.
const LZ4_MAGIC = 0x184D2204
const LZ4_BLOCK = 64 << 10
function lz4Frame (src) {
  const header = Buffer.from([0, 0, 0, 0, 0x60 /* version 01, independent blocks */, 0x40 /* 64 KiB */, 0])
  header.writeUInt32LE(LZ4_MAGIC, 0)
  header[6] = (lz4xxh32.hash(0, header, 4, 2) >> 8) & 0xff
  const parts = [header]
  const block = Buffer.alloc(lz4js.compressBound(LZ4_BLOCK))
  for (let at = 0; at < src.length; at += LZ4_BLOCK) {
    const n = Math.min(LZ4_BLOCK, src.length - at)
    const size = Buffer.alloc(4)
    const c = lz4js.compressBlock(src, block, at, n, new Uint32Array(1 << 16))
    if (c === 0 || c >= n) { // incompressible: stored as is
      size.writeUInt32LE((0x80000000 | n) >>> 0, 0)
      parts.push(size, Buffer.from(src.subarray(at, at + n)))
    } else {
      size.writeUInt32LE(c, 0)
      parts.push(size, Buffer.from(block.subarray(0, c)))
    }
  }
  parts.push(Buffer.alloc(4)) // end mark
  return Buffer.concat(parts)
}

function lz4Codec () {
  return {
    async compress (encoder) {
      return lz4Frame(encoder.buffer)
    },
    async decompress (buffer) {
      return Buffer.from(lz4js.decompress(buffer))
    },
  }
}

// A kafkajs codec over zstd-codec's WebAssembly build. Decompression streams,
// so frames without a content size (as other clients write them) work too.
function zstdCodec (zstd) {
  return () => ({
    async compress (encoder) {
      return Buffer.from(new zstd.Simple().compress(encoder.buffer, 3))
    },
    async decompress (buffer) {
      return Buffer.from(new zstd.Streaming().decompress(buffer))
    },
  })
}

// ------------------------------------------------------------ scenario

const say = (msg) => process.stderr.write(`[kafkajs] ${msg}\n`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

class Failure extends Error {}

const consumedRows = []
const seen = { group: new Set(), resume: new Set() }
function record (phase, member, partition, message) {
  const headers = []
  for (const [k, v] of Object.entries(message.headers || {})) {
    const values = Array.isArray(v) ? v : [v]
    for (const one of values) headers.push([k, one == null ? null : one.toString()])
  }
  const row = {
    phase,
    member,
    p: partition,
    o: parseInt(message.offset, 10),
    k: message.key == null ? null : message.key.toString(),
    v: message.value == null ? null : message.value.toString(),
    h: headers,
  }
  consumedRows.push(JSON.stringify(row))
  const seq = seqOf(row.v)
  if (seq >= 0) seen[phase].add(seq)
}
const seenIn = (phase, lo, hi) => [...seen[phase]].filter((s) => s >= lo && s < hi).length

async function produce (kafka, lo, hi, perCodec) {
  const chunks = new Map()
  for (let i = lo; i < hi; i++) {
    const c = perCodec ? codecOf(i) : 'none'
    if (!chunks.has(c)) chunks.set(c, [])
    chunks.get(c).push(i)
  }
  for (const [codec, seqs] of chunks) {
    const producer = kafka.producer()
    await producer.connect()
    // Sends of 500 messages; each send is acknowledged before the next, so the
    // order of records in a partition is the produce order.
    for (let j = 0; j < seqs.length; j += 500) {
      const messages = seqs.slice(j, j + 500).map((i) => ({ key: keyOf(i), value: valueOf(i), headers: headersOf(i) }))
      const res = await producer.send({ topic: args.topic, compression: COMPRESSION[codec], messages })
      for (const r of res) {
        if (r.errorCode !== 0) throw new Failure(`produce (${codec}): partition ${r.partition} error ${r.errorCode}`)
      }
    }
    await producer.disconnect()
    say(`produced ${seqs.length} records with codec ${codec}`)
  }
}

async function highWatermarks (admin) {
  const ends = {}
  for (const o of await admin.fetchTopicOffsets(args.topic)) ends[o.partition] = parseInt(o.high, 10)
  return ends
}

async function committed (admin) {
  const offs = {}
  const res = await admin.fetchOffsets({ groupId: args.group, topics: [args.topic] })
  for (const t of res) {
    for (const p of t.partitions) offs[p.partition] = parseInt(p.offset, 10)
  }
  return offs
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

async function describe (admin) {
  const { groups } = await admin.describeGroups([args.group])
  const d = groups[0]
  const shape = []
  const assigned = []
  for (const m of d.members) {
    let ps = []
    if (m.memberAssignment && m.memberAssignment.length > 0) {
      const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
      ps = (a && a.assignment[args.topic]) || []
    }
    ps = [...ps].sort((x, y) => x - y)
    assigned.push(...ps)
    shape.push(`${m.clientId}=[${ps}]`)
  }
  return { state: d.state, members: d.members, protocol: d.protocol, shape, assigned: assigned.sort((x, y) => x - y) }
}

// A group member: runs eachMessage, tracks its assignment and next offsets.
class Member {
  constructor (kafka, name, phase) {
    this.name = name
    this.phase = phase
    this.assigned = new Set()
    this.next = {}
    this.consumer = kafka.consumer({ groupId: args.group, sessionTimeout: 30000, heartbeatInterval: 1000 })
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assigned = new Set((e.payload.memberAssignment[args.topic] || []).map(Number))
    })
    this.crashed = null
    this.consumer.on(this.consumer.events.CRASH, (e) => { this.crashed = e.payload.error })
  }

  async start () {
    await this.consumer.connect()
    await this.consumer.subscribe({ topic: args.topic, fromBeginning: true })
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        record(this.phase, this.name, partition, message)
        this.next[partition] = parseInt(message.offset, 10) + 1
      },
    })
  }

  caughtUp (ends) {
    if (this.assigned.size === 0) return false
    for (const p of this.assigned) {
      if ((this.next[p] || 0) < ends[p]) return false
    }
    return true
  }

  async commit () {
    const offsets = [...this.assigned].filter((p) => this.next[p] !== undefined)
      .map((p) => ({ topic: args.topic, partition: p, offset: String(this.next[p]) }))
    if (offsets.length > 0) await this.consumer.commitOffsets(offsets)
  }
}

async function run (kafka) {
  fs.mkdirSync(args.out, { recursive: true })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const cluster = await admin.describeCluster()
    const rf = Math.min(3, cluster.brokers.length)
    await admin.createTopics({
      topics: [{ topic: args.topic, numPartitions: args.partitions, replicationFactor: rf }],
      waitForLeaders: true,
    })
    say(`created topic ${args.topic} (${args.partitions} partitions, RF ${rf})`)

    await produce(kafka, 0, args.count, true)
    const ends = await highWatermarks(admin)

    const members = [new Member(kafka, 'c1', 'group'), new Member(kafka, 'c2', 'group')]
    await Promise.all(members.map((m) => m.start()))
    const deadline = Date.now() + args.timeoutMs
    while (!(seenIn('group', 0, args.count) >= args.count && members.every((m) => m.caughtUp(ends)))) {
      for (const m of members) if (m.crashed) throw new Failure(`${m.name} crashed: ${m.crashed}`)
      if (Date.now() > deadline) {
        throw new Failure(`group consume timed out with ${seenIn('group', 0, args.count)} of ${args.count} records`)
      }
      await sleep(200)
    }
    for (const m of members) await m.commit()
    say(`group of 2 consumed ${seenIn('group', 0, args.count)} records and committed`)

    const { groups } = await admin.listGroups()
    if (!groups.some((g) => g.groupId === args.group)) throw new Failure(`listGroups: ${args.group} not listed`)
    let d = await describe(admin)
    if (d.state !== 'Stable' || d.members.length !== 2 || d.assigned.length !== args.partitions) {
      throw new Failure(`describeGroups: state ${d.state}, members ${d.shape}; want Stable, 2 members sharing ${args.partitions} partitions`)
    }
    let offs = await committed(admin)
    if (!same(offs, ends)) throw new Failure(`committed offsets ${JSON.stringify(offs)} != end offsets ${JSON.stringify(ends)}`)
    say(`group ${args.group}: ${d.state}, members ${d.shape}, protocol ${d.protocol}; committed = end offsets ${JSON.stringify(offs)}`)
    for (const m of members) await m.consumer.disconnect()

    await produce(kafka, args.count, args.count + args.extra, false)
    const r = new Member(kafka, 'r1', 'resume')
    await r.start()
    const rdeadline = Date.now() + args.timeoutMs
    let quietUntil = 0
    for (;;) {
      if (r.crashed) throw new Failure(`r1 crashed: ${r.crashed}`)
      if (!quietUntil && seenIn('resume', args.count, args.count + args.extra) >= args.extra) quietUntil = Date.now() + args.quietMs
      if (quietUntil && Date.now() >= quietUntil) break
      if (Date.now() > rdeadline) break
      await sleep(200)
    }
    await r.commit()
    await r.consumer.disconnect()
    const ends2 = await highWatermarks(admin)
    d = await describe(admin)
    if (d.state !== 'Empty' || d.members.length !== 0) {
      throw new Failure(`after close: group state ${d.state} with members ${d.shape}, want Empty`)
    }
    offs = await committed(admin)
    if (!same(offs, ends2)) throw new Failure(`after resume: committed offsets ${JSON.stringify(offs)} != end offsets ${JSON.stringify(ends2)}`)
    say(`restarted group consumed ${seenIn('resume', 0, args.count + args.extra)} records; group Empty, committed ${JSON.stringify(offs)}`)
  } finally {
    await admin.disconnect()
    fs.writeFileSync(path.join(args.out, 'consumed.jsonl'), consumedRows.join('\n') + '\n')
  }
}

async function main () {
  const version = require('kafkajs/package.json').version
  try {
    const zstd = await new Promise((resolve) => ZstdCodec.run(resolve))
    CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
    CompressionCodecs[CompressionTypes.LZ4] = lz4Codec
    CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec(zstd)
    const kafka = new Kafka({ clientId: 'interop-kafkajs', brokers: args.brokers, logLevel: logLevel.WARN })
    await run(kafka)
  } catch (e) {
    if (!(e instanceof Failure)) console.error(e)
    console.log(`FAIL kafkajs ${version}: ${e.message || e}`)
    process.exit(1)
  }
  console.log(`kafkajs ${version}: scenario steps done`)
  process.exit(0)
}

main()
