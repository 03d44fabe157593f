/**
 * A model's metadata entries (ModelProto.metadata_props, field 14) read straight from its bytes:
 * the top-level fields are walked and everything else (the graph, with any inline weights) is
 * skipped by its length, so a multi-hundred-MB .onnx costs a few varint reads, not a decode.
 */
export function readModelMetadata(model: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const reader = new WireReader(model, 0, model.length);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 14 && wire === 2) {
      const entry = reader.message();
      let key = "";
      let value = "";
      while (!entry.done()) {
        const t = entry.tag();
        if (t.wire === 2 && (t.field === 1 || t.field === 2)) {
          const text = entry.string();
          if (t.field === 1) key = text;
          else value = text;
        } else entry.skip(t.wire);
      }
      out.set(key, value);
    } else reader.skip(wire);
  }
  return out;
}

/** Just enough of the protobuf wire format to find and skip fields. */
class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { field: number; wire: number } {
    const tag = this.varint();
    return { field: Math.floor(tag / 8), wire: tag % 8 };
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error("truncated ONNX model (varint)");
      const byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  message(): WireReader {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error("truncated ONNX model (field)");
    return new WireReader(this.bytes, start, this.pos);
  }

  string(): string {
    const length = this.varint();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const length = this.varint(); // read first: `pos += varint()` would add to the old pos
      this.pos += length;
    } else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire} in an ONNX model`);
    if (this.pos > this.end) throw new Error("truncated ONNX model (skip)");
  }
}
