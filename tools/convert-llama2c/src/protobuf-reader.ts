import { ConvertError } from './convert-error.js';

/** One field of a protobuf message, already read past (its payload location is kept). */
export interface ProtoField {
  number: number;
  wireType: 0 | 1 | 2 | 5;
  /** Varint payload (wire type 0) as a float64 (exact below 2^53; lengths and ids are far below). */
  varint: number;
  /** Low 32 bits of the varint as a signed int32: how proto int32/enum/bool fields read it. */
  varintLow32: number;
  /** Payload byte range inside the reader's buffer (wire types 1, 2, 5). */
  start: number;
  end: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The few protobuf wire-format primitives a sentencepiece .model needs
 * (https://protobuf.dev/programming-guides/encoding/). Every length is checked
 * against the enclosing message so a garbled file fails with TOKENIZER_INVALID.
 */
export class ProtobufReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly begin = 0,
    private readonly finish = bytes.byteLength,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The fields of this message in file order. */
  *fields(): Generator<ProtoField> {
    let pos = this.begin;
    while (pos < this.finish) {
      const keyStart = pos;
      const [key, , afterKey] = this.readVarint(pos);
      pos = afterKey;
      const number = Math.floor(key / 8);
      const wireType = key % 8;
      if (number === 0) this.fail(`field number 0 at byte ${keyStart}`);
      let field: ProtoField;
      if (wireType === 0) {
        const [value, low32, next] = this.readVarint(pos);
        field = { number, wireType, varint: value, varintLow32: low32, start: pos, end: next };
        pos = next;
      } else if (wireType === 2) {
        const [length, , next] = this.readVarint(pos);
        const end = next + length;
        if (length > this.finish - next) this.fail(`field ${number} at byte ${keyStart} claims ${length} bytes, past the end of its message (byte ${this.finish})`);
        field = { number, wireType, varint: 0, varintLow32: 0, start: next, end };
        pos = end;
      } else if (wireType === 1 || wireType === 5) {
        const size = wireType === 1 ? 8 : 4;
        if (pos + size > this.finish) this.fail(`field ${number} at byte ${keyStart} runs past the end of its message`);
        field = { number, wireType, varint: 0, varintLow32: 0, start: pos, end: pos + size };
        pos += size;
      } else {
        this.fail(`field ${number} at byte ${keyStart} has wire type ${wireType} (groups are not used by sentencepiece)`);
      }
      yield field;
    }
  }

  /** A reader over an embedded message field. */
  message(field: ProtoField): ProtobufReader {
    this.expect(field, 2);
    return new ProtobufReader(this.bytes, this.file, field.start, field.end);
  }

  string(field: ProtoField): string {
    this.expect(field, 2);
    try {
      return UTF8.decode(this.bytes.subarray(field.start, field.end));
    } catch {
      return this.fail(`field ${field.number} at byte ${field.start} is not valid UTF-8`);
    }
  }

  float(field: ProtoField): number {
    this.expect(field, 5);
    return this.view.getFloat32(field.start, true);
  }

  /** int32/enum/bool: negative int32 values are sign-extended 10-byte varints. */
  int32(field: ProtoField): number {
    this.expect(field, 0);
    return field.varintLow32;
  }

  /** [value as float64, low 32 bits as int32, position after the varint]. */
  private readVarint(pos: number): [number, number, number] {
    let value = 0;
    let low32 = 0;
    for (let i = 0; i < 10; i++) {
      if (pos + i >= this.finish) this.fail(`varint at byte ${pos} runs past the end of its message (byte ${this.finish})`);
      const byte = this.bytes[pos + i];
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (i < 5) low32 |= (byte & 0x7f) << (7 * i); // bits beyond 31 fall off, as in a C int32 cast
      if (byte < 0x80) return [value, low32 | 0, pos + i + 1];
    }
    return this.fail(`varint at byte ${pos} is longer than 10 bytes`);
  }

  private expect(field: ProtoField, wireType: number): void {
    if (field.wireType !== wireType) {
      this.fail(`field ${field.number} has wire type ${field.wireType}, expected ${wireType}`);
    }
  }

  private fail(message: string): never {
    throw new ConvertError('TOKENIZER_INVALID', `${this.file}: not a valid sentencepiece .model: ${message}`, { file: this.file });
  }
}
