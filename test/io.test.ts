import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeatlensError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { decodeNpy, encodeNpy, readNpy, writeNpy, type NpyData } from '../src/io/npy.js';

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'heatlens-io-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** .npy bytes from a header dict text, padded like numpy (data offset a multiple of 64). */
function handMade(major: 1 | 2 | 3, dict: string, data: Uint8Array): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const dictBytes = new TextEncoder().encode(dict);
  const total = Math.ceil((prefix + dictBytes.length + 1) / 64) * 64;
  const header = new Uint8Array(total - prefix).fill(0x20);
  header.set(dictBytes);
  header[header.length - 1] = 0x0a;
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(data, total);
  return out;
}

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof HeatlensError && pattern.test(e.message) && !e.message.includes('\n'));

test('npy round trip: every dtype and shapes (), (0,), (5,), (2,3), (2,3,4)', async () => {
  await withTmp(async (dir) => {
    const shapes = [[], [0], [5], [2, 3], [2, 3, 4]];
    const make: Record<string, (n: number) => NpyData> = {
      float32: (n) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3.25),
      float64: (n) => Float64Array.from({ length: n }, (_, i) => Math.PI * (i - 2) * 1e-7),
      int64: (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10_000_000_000n - 7n),
      int32: (n) => Int32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * i * 1000),
      uint8: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256),
    };
    for (const [dtype, gen] of Object.entries(make)) {
      for (const shape of shapes) {
        const data = gen(shape.reduce((a, b) => a * b, 1));
        const path = join(dir, `${dtype}-${shape.join('x')}.npy`);
        await writeNpy(path, data, shape);
        const back = await readNpy(path);
        assert.equal(back.dtype, dtype);
        assert.deepEqual(back.shape, shape);
        assert.equal(back.data.constructor, data.constructor);
        assert.deepEqual(Array.from(back.data as ArrayLike<number | bigint>), Array.from(data as ArrayLike<number | bigint>));
      }
    }
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
  });
});

test('encodeNpy writes the header numpy writes, aligned to 64 bytes', () => {
  const bytes = encodeNpy(new Float32Array([1, 2, 3]), [3]);
  assert.equal(bytes.length % 64, 12); // 64-byte header, then 3×4 data bytes
  const headerLen = bytes[8]! | (bytes[9]! << 8);
  assert.equal((10 + headerLen) % 64, 0);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLen));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
  assert.match(new TextDecoder().decode(encodeNpy(new Int32Array(0), [0, 2]).subarray(10, 70)), /'shape': \(0, 2\)/);
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), /has 6 elements, data has 5/);
});

test('reads a file written by numpy 2.4 (np.save of a (2,3) float32 array)', () => {
  // python3 -c "import numpy as np; np.save('a.npy', np.array([[1.5,-2,3.25],[0,1e-3,-7]], '<f4'))"
  const hex =
    '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d' +
    '20'.repeat(58) + '0a' + '0000c03f000000c000005040000000006f12833a0000e0c0';
  const arr = decodeNpy(Uint8Array.from(Buffer.from(hex, 'hex')), 'numpy.npy');
  assert.equal(arr.dtype, 'float32');
  assert.deepEqual(arr.shape, [2, 3]);
  assert.deepEqual(Array.from(arr.data as Float32Array), [1.5, -2, 3.25, 0, Math.fround(1e-3), -7]);
});

test('hand-made headers: versions 1.0, 2.0 and 3.0, odd spacing, Python 2 longs, |u1', () => {
  const f8 = new Uint8Array(new Float64Array([0.25, -1, 1e300, 5]).buffer);
  const v1 = decodeNpy(handMade(1, "{'descr':'<f8','fortran_order':False,'shape':(2,2)}", f8), 'v1.npy');
  assert.deepEqual([v1.dtype, v1.shape, Array.from(v1.data as Float64Array)], ['float64', [2, 2], [0.25, -1, 1e300, 5]]);
  const v2 = decodeNpy(handMade(2, "{ 'shape' : ( 4L , ) , 'fortran_order' : False , 'descr' : '<f8' , }", f8), 'v2.npy');
  assert.deepEqual([v2.dtype, v2.shape], ['float64', [4]]);
  const v3 = decodeNpy(handMade(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 2), }", new Uint8Array(new Int32Array([-5, 7]).buffer)), 'v3.npy');
  assert.deepEqual([v3.dtype, v3.shape, Array.from(v3.data as Int32Array)], ['int32', [1, 1, 2], [-5, 7]]);
  const u1 = decodeNpy(handMade(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.from([0, 128, 255])), 'u1.npy');
  assert.deepEqual([u1.dtype, Array.from(u1.data as Uint8Array)], ['uint8', [0, 128, 255]]);
  // numpy pads to 64, but older writers padded to 16: a data offset of 80 + 6 is not 8-aligned.
  const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + ' '.repeat(15) + '\n';
  const odd = new Uint8Array(10 + dict.length + 8);
  odd.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0]);
  odd.set(new TextEncoder().encode(dict), 10);
  odd.set(new Uint8Array(new Float64Array([-2.5]).buffer), 10 + dict.length);
  assert.notEqual((10 + dict.length) % 8, 0);
  assert.deepEqual(Array.from(decodeNpy(odd, 'odd.npy').data as Float64Array), [-2.5]);
  // And from a Buffer that is a view into a larger pool.
  const pooled = Buffer.concat([Buffer.alloc(3, 7), Buffer.from(odd)]).subarray(3);
  assert.deepEqual(Array.from(decodeNpy(pooled, 'pooled.npy').data as Float64Array), [-2.5]);
});

test('rejects Fortran order, big-endian, unsupported dtypes, bad magic, bad headers', () => {
  const four = new Uint8Array(16);
  rejects(() => decodeNpy(handMade(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four), 'f.npy'), /^cannot read f\.npy: Fortran-order/);
  rejects(() => decodeNpy(handMade(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four), 'be.npy'), /^cannot read be\.npy: big-endian dtype '>f4'/);
  rejects(() => decodeNpy(handMade(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", four), 'c.npy'), /unsupported dtype '<c8'/);
  rejects(() => decodeNpy(handMade(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", four), 's.npy'), /structured dtypes/);
  rejects(() => decodeNpy(handMade(1, "{'descr': '<f4', 'shape': (4,), }", four), 'n.npy'), /no boolean 'fortran_order'/);
  rejects(() => decodeNpy(handMade(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)", four), 'u.npy'), /bad \.npy header/);
  rejects(() => decodeNpy(new TextEncoder().encode('x,y\n1,2\n'), 'data.csv'), /^cannot read data\.csv: not a NumPy \.npy file/);
  const v9 = encodeNpy(new Float32Array(1), [1]);
  v9[6] = 9;
  rejects(() => decodeNpy(v9, 'v9.npy'), /format version 9\.0/);
});

test('rejects truncated files and trailing garbage', async () => {
  const full = encodeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]);
  rejects(() => decodeNpy(full.subarray(0, full.length - 1), 't.npy'), /^cannot read t\.npy: truncated: shape \(2, 2\) of float32 needs 16 data bytes, file has 15$/);
  rejects(() => decodeNpy(full.subarray(0, 40), 'h.npy'), /truncated \.npy header/);
  rejects(() => decodeNpy(full.subarray(0, 7), 'm.npy'), /not a NumPy/);
  const extra = new Uint8Array(full.length + 3);
  extra.set(full);
  rejects(() => decodeNpy(extra, 'x.npy'), /3 unexpected bytes/);
  await withTmp(async (dir) => {
    const path = join(dir, 'cut.npy');
    await writeFile(path, full.subarray(0, 70));
    await assert.rejects(readNpy(path), (e: unknown) => e instanceof HeatlensError && e.message.includes(path) && /truncated/.test(e.message));
    await assert.rejects(readNpy(join(dir, 'missing.npy')), /cannot read .*missing\.npy: no such file/);
  });
});

test('writeFileAtomic replaces the file whole and cleans up on failure', async () => {
  await withTmp(async (dir) => {
    const path = join(dir, 'out.txt');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, new TextEncoder().encode('new contents'));
    assert.equal(await readFile(path, 'utf8'), 'new contents');
    assert.deepEqual(await readdir(dir), ['out.txt']);
    await assert.rejects(writeFileAtomic(join(dir, 'no', 'such', 'x.png'), 'a'), (e: unknown) => e instanceof HeatlensError && /folder .*such does not exist/.test(e.message));
    // Renaming onto a non-empty folder fails after the temp file was written: it must be removed.
    const target = join(dir, 'target');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'k');
    await assert.rejects(writeFileAtomic(target, 'a'), (e: unknown) => e instanceof HeatlensError && e.message === `cannot write ${target}: is a folder, not a file`);
    assert.deepEqual((await readdir(dir)).sort(), ['out.txt', 'target']);
  });
});
