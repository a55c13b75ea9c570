// Tests talk to loopback only: any other destination is refused before a packet leaves the machine.
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string;
  const host =
    typeof first === 'object' && first !== null
      ? first.path
        ? 'localhost'
        : (first.host ?? 'localhost')
      : typeof first === 'number'
        ? typeof args[1] === 'string'
          ? args[1]
          : 'localhost'
        : 'localhost';
  if (!LOOPBACK.test(host)) throw new Error(`test tried to reach ${host}: tests may only use loopback`);
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof original;
