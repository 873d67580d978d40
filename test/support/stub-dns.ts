import dgram from 'node:dgram';

/**
 * A DNS server for tests that answers every A question with 127.0.0.1 (AAAA and the rest:
 * no records), so an ACME validator finds Berth's router for any test hostname offline.
 * Names under `nxdomain.` get NXDOMAIN, for failures on purpose.
 */
export interface StubDns {
  port: number;
  close(): Promise<void>;
}

export async function startStubDns(): Promise<StubDns> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    const answer = answerTo(query);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function answerTo(query: Buffer): Buffer | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset] !== 0) {
    labels.push(query.subarray(offset + 1, offset + 1 + query[offset]).toString('ascii'));
    offset += query[offset] + 1;
  }
  const questionEnd = offset + 5;
  if (questionEnd > query.length) return undefined;
  const type = query.readUInt16BE(offset + 1);
  const nxdomain = labels[0]?.toLowerCase() === 'nxdomain';
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (nxdomain ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  const withA = type === 1 && !nxdomain;
  header.writeUInt16BE(withA ? 1 : 0, 6);
  const question = query.subarray(12, questionEnd);
  if (!withA) return Buffer.concat([header, question]);
  const record = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  return Buffer.concat([header, question, record]);
}
