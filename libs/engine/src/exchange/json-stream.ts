// Reads one JSON object from a byte stream without holding the whole document: each top-level
// member is handed over on its own, and the members named in `stream` (arrays such as COCO's
// "annotations") element by element. Memory stays at one element (or one whole member) at a time,
// so a file of 100,000 annotations never becomes 100,000 objects at once.
//
// The scanner works on bytes: JSON's structural characters are ASCII and never occur inside a
// multi-byte UTF-8 sequence, so a value's bytes are found without decoding; each value is then
// decoded and parsed with JSON.parse, which checks it fully.
import { AppError } from '@dataengine/contracts';

/** How a member is read: parsed whole, element by element (an array), or skipped unparsed. */
export type MemberMode = 'whole' | 'elements' | 'skip';

export interface JsonObjectVisitor {
  mode(key: string): MemberMode;
  /** A member read whole — or one read by elements that turned out not to be an array. */
  member?(key: string, value: unknown): void | Promise<void>;
  /** One element of an array read by elements; `index` counts from 0 per member. */
  element?(key: string, value: unknown, index: number): void | Promise<void>;
  /** An array read by elements ended after `count` elements. */
  arrayEnd?(key: string, count: number): void | Promise<void>;
}

export interface JsonStreamLimits {
  /** Largest member handed over whole, in bytes. */
  maxMemberBytes: number;
  /** Largest single element of a streamed array, in bytes. */
  maxElementBytes: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

type State = 'start' | 'keyOrEnd' | 'key' | 'keyString' | 'colon' | 'value' | 'capture' | 'afterMember' | 'elementOrEnd' | 'element' | 'afterElement' | 'end';

/**
 * Feeds `source` through the visitor. Throws AppError(BAD_REQUEST) naming `what` when the bytes
 * are not one JSON object (`notObject` is the message when the top level is something else), and
 * PAYLOAD_TOO_LARGE when a member or element passes its limit.
 */
export async function readJsonObject(source: AsyncIterable<Buffer | string>, what: string, visitor: JsonObjectVisitor, limits: JsonStreamLimits, notObject: string): Promise<void> {
  const scanner = new JsonObjectScanner(visitor, limits, what, notObject);
  for await (const chunk of source) {
    const events = scanner.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    for (const event of events) await deliver(visitor, event, what);
  }
  for (const event of scanner.end()) await deliver(visitor, event, what);
}

type ScanEvent = { kind: 'member' | 'element' | 'skipped' | 'arrayEnd'; key: string; index: number; text: Buffer | null };

async function deliver(visitor: JsonObjectVisitor, event: ScanEvent, what: string): Promise<void> {
  if (event.kind === 'arrayEnd') return void (await visitor.arrayEnd?.(event.key, event.index));
  if (event.kind === 'skipped' || !event.text) return;
  let value: unknown;
  try {
    value = JSON.parse(event.text.toString('utf8'));
  } catch (error) {
    const where = event.kind === 'element' ? `"${event.key}"[${event.index}]` : `"${event.key}"`;
    throw new AppError('BAD_REQUEST', `${what} is not valid JSON (${where}: ${(error as Error).message}); nothing was imported`);
  }
  if (event.kind === 'element') await visitor.element?.(event.key, value, event.index);
  else await visitor.member?.(event.key, value);
}

class JsonObjectScanner {
  private state: State = 'start';
  private offset = 0;
  private key = '';
  private keyParts: Buffer[] = [];
  private inArray = false;
  private index = 0;
  // the value being captured
  private parts: Buffer[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private keep = true;

  constructor(
    private readonly visitor: JsonObjectVisitor,
    private readonly limits: JsonStreamLimits,
    private readonly what: string,
    private readonly notObject: string,
  ) {}

  write(chunk: Buffer): ScanEvent[] {
    const events: ScanEvent[] = [];
    let captureFrom = this.state === 'capture' ? 0 : -1;
    let keyFrom = this.state === 'keyString' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'capture': {
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (b === BACKSLASH) this.escaped = true;
            else if (b === QUOTE) {
              this.inString = false;
              if (this.depth === 0) {
                this.finishCapture(chunk, captureFrom, i + 1, events);
                captureFrom = -1;
              }
            }
            break;
          }
          if (this.scalar) {
            if (b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || WS.has(b)) {
              this.finishCapture(chunk, captureFrom, i, events);
              captureFrom = -1;
              i--; // the delimiter belongs to what follows the value
            }
            break;
          }
          if (b === QUOTE) this.inString = true;
          else if (b === OPEN_OBJ || b === OPEN_ARR) this.depth++;
          else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
            this.depth--;
            if (this.depth === 0) {
              this.finishCapture(chunk, captureFrom, i + 1, events);
              captureFrom = -1;
            }
          }
          break;
        }
        case 'keyString': {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) {
            this.keyParts.push(chunk.subarray(keyFrom, i + 1));
            keyFrom = -1;
            this.key = this.parseKey(Buffer.concat(this.keyParts));
            this.keyParts = [];
            this.state = 'colon';
          }
          break;
        }
        default: {
          if (WS.has(b)) break;
          switch (this.state) {
            case 'start':
              if (b !== OPEN_OBJ) throw new AppError('BAD_REQUEST', this.notObject);
              this.state = 'keyOrEnd';
              break;
            case 'keyOrEnd':
            case 'key':
              if (b === CLOSE_OBJ && this.state === 'keyOrEnd') this.state = 'end';
              else if (b === QUOTE) {
                this.state = 'keyString';
                this.escaped = false;
                keyFrom = i;
              } else this.fail(`expected a member name at byte ${this.offset + i}`);
              break;
            case 'colon':
              if (b !== COLON) this.fail(`expected ":" after "${this.key}" at byte ${this.offset + i}`);
              this.state = 'value';
              break;
            case 'value': {
              const mode = this.visitor.mode(this.key);
              if (mode === 'elements' && b === OPEN_ARR) {
                this.inArray = true;
                this.index = 0;
                this.state = 'elementOrEnd';
              } else {
                this.beginCapture(b, mode !== 'skip');
                captureFrom = i;
              }
              break;
            }
            case 'afterMember':
              if (b === COMMA) this.state = 'key';
              else if (b === CLOSE_OBJ) this.state = 'end';
              else this.fail(`expected "," or "}" after "${this.key}" at byte ${this.offset + i}`);
              break;
            case 'elementOrEnd':
            case 'element':
              if (b === CLOSE_ARR && this.state === 'elementOrEnd') {
                this.closeArray(events);
              } else {
                this.beginCapture(b, true);
                captureFrom = i;
              }
              break;
            case 'afterElement':
              if (b === COMMA) this.state = 'element';
              else if (b === CLOSE_ARR) this.closeArray(events);
              else this.fail(`expected "," or "]" in "${this.key}" at byte ${this.offset + i}`);
              break;
            case 'end':
              this.fail(`unexpected data after the end of the JSON object at byte ${this.offset + i}`);
          }
        }
      }
    }
    if (captureFrom >= 0) this.append(chunk.subarray(captureFrom));
    if (keyFrom >= 0) this.keyParts.push(chunk.subarray(keyFrom));
    this.offset += chunk.length;
    return events;
  }

  end(): ScanEvent[] {
    const events: ScanEvent[] = [];
    // a number at the very end of the input has no delimiter after it
    if (this.state === 'capture' && this.scalar && this.depth === 0) this.finishCapture(Buffer.alloc(0), 0, 0, events);
    if (this.state === 'start') throw new AppError('BAD_REQUEST', `${this.what} is empty; nothing was imported`);
    if (this.state !== 'end') this.fail('it ends before the JSON object is complete (truncated?)');
    return events;
  }

  /** A value starts with byte `b`: strings, objects and arrays end at their closing byte, scalars at a delimiter. */
  private beginCapture(b: number, keep: boolean): void {
    this.state = 'capture';
    this.parts = [];
    this.size = 0;
    this.keep = keep;
    this.escaped = false;
    this.inString = b === QUOTE;
    this.depth = b === OPEN_OBJ || b === OPEN_ARR ? 1 : 0;
    this.scalar = !this.inString && this.depth === 0;
    if (b === CLOSE_OBJ || b === CLOSE_ARR || b === COMMA || b === COLON) this.fail(`expected a value for "${this.key}" at byte ${this.offset}`);
  }

  private append(part: Buffer): void {
    this.size += part.length;
    const limit = this.inArray ? this.limits.maxElementBytes : this.limits.maxMemberBytes;
    if (this.size > limit) {
      const which = this.inArray ? `element ${this.index} of "${this.key}"` : `"${this.key}"`;
      throw new AppError('PAYLOAD_TOO_LARGE', `${which} in ${this.what} is larger than ${formatBytes(limit)}; split the file`);
    }
    if (this.keep) this.parts.push(part);
  }

  private finishCapture(chunk: Buffer, from: number, to: number, events: ScanEvent[]): void {
    this.append(chunk.subarray(from, to));
    const text = this.keep ? Buffer.concat(this.parts) : null;
    this.parts = [];
    if (this.inArray) {
      events.push({ kind: 'element', key: this.key, index: this.index, text });
      this.index++;
      this.state = 'afterElement';
    } else {
      events.push({ kind: this.keep ? 'member' : 'skipped', key: this.key, index: 0, text });
      this.state = 'afterMember';
    }
  }

  private closeArray(events: ScanEvent[]): void {
    events.push({ kind: 'arrayEnd', key: this.key, index: this.index, text: null });
    this.inArray = false;
    this.state = 'afterMember';
  }

  private parseKey(raw: Buffer): string {
    try {
      return JSON.parse(raw.toString('utf8')) as string;
    } catch {
      this.fail(`a member name is not a valid JSON string at byte ${this.offset}`);
    }
  }

  private fail(detail: string): never {
    throw new AppError('BAD_REQUEST', `${this.what} is not valid JSON (${detail}); nothing was imported`);
  }
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`);
