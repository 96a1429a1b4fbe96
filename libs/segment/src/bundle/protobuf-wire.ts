/**
 * Minimal protobuf wire-format reader and writer, enough to walk and re-assemble ONNX models
 * without decoding (or copying) their weight payloads. Pure: runs in Node and in the browser.
 */

export interface WireField {
  field: number;
  wire: number;
  /** varint value (wire 0) or payload length (wire 2). */
  value: number;
  /** where the field's key starts: `bytes.subarray(start, to)` is the whole field as written. */
  start: number;
  /** payload bounds (wire 2); `from === to` for other wire types. */
  from: number;
  to: number;
}

/** Yields the fields of a message between `start` and `end`; throws on truncated or unknown encodings. */
export function* wireFields(buf: Uint8Array, start = 0, end = buf.length): Generator<WireField> {
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= end) throw new Error('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  while (pos < end) {
    const fieldStart = pos;
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const value = varint();
      yield { field, wire, value, start: fieldStart, from: pos, to: pos };
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > end) throw new Error('truncated fixed-width field');
      yield { field, wire, value: 0, start: fieldStart, from: pos, to: pos };
    } else if (wire === 2) {
      const len = varint();
      const from = pos;
      pos += len;
      if (pos > end) throw new Error('truncated length-delimited field');
      yield { field, wire, value: len, start: fieldStart, from, to: pos };
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder();

/** The payload of a length-delimited field as a string. */
export const wireString = (buf: Uint8Array, f: WireField): string => utf8.decode(buf.subarray(f.from, f.to));

/** The first string of field `field` in a message (e.g. a ValueInfoProto's or TensorProto's name). */
export function firstString(buf: Uint8Array, from: number, to: number, field: number): string | null {
  for (const f of wireFields(buf, from, to)) if (f.field === field && f.wire === 2) return wireString(buf, f);
  return null;
}

/** The varint encoding of a non-negative integer. */
export function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Concatenates byte chunks. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A length-delimited field `field` holding `payload` (key, length, bytes). */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([...varintBytes(field * 8 + 2), ...varintBytes(payload.length)]), payload]);
}
