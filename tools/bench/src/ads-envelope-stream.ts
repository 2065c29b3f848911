/**
 * gRPC frames of (Delta)DiscoveryResponses read as they arrive, chunk by chunk,
 * without reassembling a message: the 5-byte gRPC prefix (compressed flag,
 * length), then the protobuf wire format walked field by field. The envelope
 * (version, type, nonce; delta: each resource's name and version, removed names)
 * is collected; resource bodies are stepped over, every byte counted. A
 * benchmark with a thousand clients in one process uses it so that what it
 * measures is the server, not a client reassembling and decoding 1 GB.
 *
 * DiscoveryResponse: version_info 1, resources 2, type_url 4, nonce 5.
 * DeltaDiscoveryResponse: system_version_info 1, resources 2 (Resource: version 1,
 * name 3), type_url 4, nonce 5, removed_resources 6.
 */

export interface StreamedEnvelope {
  typeUrl: string;
  versionInfo: string;
  nonce: string;
  /** Resources in the response (SotW: counted only). */
  resourceCount: number;
  /** Delta: name of each resource, in order (no object per resource: a delta run reads 2 million). */
  names: string[];
  /** Delta: version of each resource, by the index of its name. */
  versions: string[];
  /** Delta: removed_resources. */
  removed: string[];
  /** The message's size without the gRPC prefix. */
  bytes: number;
}

enum State {
  Prefix = 0,
  Tag = 1,
  Length = 2,
  Skip = 3,
  Collect = 4,
  VarintValue = 5,
}

/** Bytes of fields longer than this are never collected: a name, version or nonce is far shorter. */
const maxCollected = 64 * 1024;

/**
 * One response stream's framing and envelope reader. `push` every DATA chunk in
 * order; `onMessage` gets each complete message's envelope. Throws on anything
 * a well-formed stream cannot contain (compressed messages, fields overrunning
 * their message, a message ending inside a field).
 */
export class EnvelopeStreamReader {
  private state = State.Prefix;
  private readonly prefix = Buffer.alloc(5);
  private prefixHave = 0;
  /** Bytes of the current message still to come. */
  private messageLeft = 0;
  private messageBytes = 0;
  private varint = 0;
  private shift = 0;
  private field = 0;
  /** 0: top level; 1: inside a delta Resource. */
  private depth = 0;
  /** Bytes left of the delta Resource being read (depth 1). */
  private resourceLeft = 0;
  /** Set when a Resource was just stepped into: `step` returns so that `push` bounds it. */
  private entered = false;
  private skipLeft = 0;
  private collect: Buffer = Buffer.alloc(256);
  private collectHave = 0;
  private collectLen = 0;
  private current: StreamedEnvelope = emptyEnvelope(0);
  private resourceName = '';
  private resourceVersion = '';

  constructor(
    private readonly delta: boolean,
    private readonly onMessage: (envelope: StreamedEnvelope) => void,
  ) {}

  /** True between messages: a stream that ends here ended cleanly. */
  get atBoundary(): boolean {
    return this.state === State.Prefix && this.prefixHave === 0;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Prefix) {
        while (this.prefixHave < 5 && i < n) this.prefix[this.prefixHave++] = chunk[i++] as number;
        if (this.prefixHave < 5) return;
        if (this.prefix[0] !== 0) throw new Error('ads client: compressed gRPC message');
        this.messageLeft = this.prefix.readUInt32BE(1);
        this.messageBytes = this.messageLeft;
        this.prefixHave = 0;
        this.current = emptyEnvelope(this.messageBytes);
        this.depth = 0;
        this.state = State.Tag;
        this.varint = 0;
        this.shift = 0;
        if (this.messageLeft === 0) this.finishMessage();
        continue;
      }
      // Inside a message (and a delta Resource): consume at most what is left of it.
      const inResource = this.depth === 1;
      const limit = inResource ? Math.min(this.messageLeft, this.resourceLeft) : this.messageLeft;
      i = this.step(chunk, i, Math.min(n, i + limit));
      if (inResource) {
        if (this.resourceLeft === 0) {
          if (this.state !== State.Tag || this.shift !== 0)
            throw new Error('ads client: resource ended inside a field');
          this.endResource();
        }
      }
      if (this.messageLeft === 0) {
        if (this.state !== State.Tag || this.shift !== 0 || this.depth !== 0)
          throw new Error('ads client: message ended inside a field');
        this.finishMessage();
      }
    }
  }

  /** Advances through `chunk[i, end)` (within the current message); returns where it stopped. */
  private step(chunk: Buffer, i: number, end: number): number {
    while (i < end) {
      switch (this.state) {
        case State.Tag:
        case State.Length:
        case State.VarintValue: {
          const byte = chunk[i++] as number;
          this.consumed(1);
          this.varint += (byte & 0x7f) * 2 ** this.shift;
          if (byte >= 0x80) {
            this.shift += 7;
            continue;
          }
          const value = this.varint;
          this.varint = 0;
          this.shift = 0;
          if (this.state === State.Tag) this.onTag(value);
          else if (this.state === State.Length) this.onLength(value);
          else this.state = State.Tag;
          break;
        }
        case State.Skip: {
          const take = Math.min(this.skipLeft, end - i);
          i += take;
          this.consumed(take);
          this.skipLeft -= take;
          if (this.skipLeft === 0) this.state = State.Tag;
          break;
        }
        case State.Collect: {
          if (this.collectHave === 0 && end - i >= this.collectLen) {
            // The whole field is in this chunk: read it in place.
            const text = chunk.toString('utf8', i, i + this.collectLen);
            i += this.collectLen;
            this.consumed(this.collectLen);
            this.state = State.Tag;
            this.onCollected(text);
            break;
          }
          const take = Math.min(this.collectLen - this.collectHave, end - i);
          chunk.copy(this.collect, this.collectHave, i, i + take);
          i += take;
          this.consumed(take);
          this.collectHave += take;
          if (this.collectHave === this.collectLen) {
            this.state = State.Tag;
            this.onCollected(this.collect.toString('utf8', 0, this.collectLen));
          }
          break;
        }
        default:
          throw new Error('ads client: reader state');
      }
      // Stepping into a Resource: the caller bounds what follows by the Resource's length.
      if (this.entered) {
        this.entered = false;
        return i;
      }
    }
    return i;
  }

  private consumed(bytes: number): void {
    this.messageLeft -= bytes;
    if (this.depth === 1) this.resourceLeft -= bytes;
  }

  private onTag(tag: number): void {
    this.field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 2) this.state = State.Length;
    else if (wire === 0) this.state = State.VarintValue;
    else if (wire === 1) this.skip(8);
    else if (wire === 5) this.skip(4);
    else throw new Error(`ads client: unsupported wire type ${wire}`);
  }

  private skip(length: number): void {
    this.skipLeft = length;
    this.state = length > 0 ? State.Skip : State.Tag;
  }

  private onLength(length: number): void {
    if (this.depth === 0) {
      if (length > this.messageLeft) throw new Error('ads client: field overruns its message');
      if (this.field === 2) {
        this.current.resourceCount++;
        if (this.delta) {
          // Step into the Resource: its name and version are read, its body skipped.
          this.depth = 1;
          this.entered = true;
          this.resourceLeft = length;
          this.resourceName = '';
          this.resourceVersion = '';
          this.state = State.Tag;
          return;
        }
        this.skip(length);
        return;
      }
      if (this.field === 1 || this.field === 4 || this.field === 5 || (this.field === 6 && this.delta)) {
        this.collectField(length);
        return;
      }
      this.skip(length);
      return;
    }
    if (length > this.resourceLeft) throw new Error('ads client: field overruns its resource');
    if (this.field === 1 || this.field === 3) this.collectField(length);
    else this.skip(length);
  }

  private collectField(length: number): void {
    if (length > maxCollected) throw new Error('ads client: envelope field too long');
    if (this.collect.length < length) this.collect = Buffer.alloc(Math.max(length, this.collect.length * 2));
    this.collectLen = length;
    this.collectHave = 0;
    if (length === 0) this.onCollected('');
    else this.state = State.Collect;
  }

  private onCollected(text: string): void {
    if (this.depth === 1) {
      if (this.field === 1) this.resourceVersion = text;
      else this.resourceName = text;
      return;
    }
    if (this.field === 1) this.current.versionInfo = text;
    else if (this.field === 4) this.current.typeUrl = text;
    else if (this.field === 5) this.current.nonce = text;
    else this.current.removed.push(text);
  }

  private endResource(): void {
    this.current.names.push(this.resourceName);
    this.current.versions.push(this.resourceVersion);
    this.depth = 0;
  }

  private finishMessage(): void {
    this.state = State.Prefix;
    const done = this.current;
    this.current = emptyEnvelope(0);
    this.onMessage(done);
  }
}

function emptyEnvelope(bytes: number): StreamedEnvelope {
  return {
    typeUrl: '',
    versionInfo: '',
    nonce: '',
    resourceCount: 0,
    names: [],
    versions: [],
    removed: [],
    bytes,
  };
}
