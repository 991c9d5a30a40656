import type { RedisClientLike, RedisSubscriberLike } from './RedisClientLike.js';

/** What a store hears from its channel. */
export interface ChannelListener {
  /** A message published on the channel. */
  message(text: string): void;
  /** The channel is (again) subscribed: messages published from now on will arrive. */
  subscribed(): void;
  /** The pub/sub connection failed. */
  error(error: unknown): void;
}

interface Channel {
  readonly listeners: Set<ChannelListener>;
  pending: boolean;
}

/**
 * One pub/sub connection per user client, shared by every breaker store on that client (each listens on its own
 * channel), so that many breakers do not mean many connections. It is created by the first listener and closed
 * with the last. Keyed weakly by client: nothing here outlives the client.
 *
 * Channel names are used as given: ioredis does not put the client's `keyPrefix` on SUBSCRIBE (the duplicate
 * carries the client's options), so the stores pass names that include it already (keys.ts), and one client
 * has one prefix, so one hub never mixes two.
 */
const hubs = new WeakMap<RedisClientLike, SubscriberHub>();

/** Listens on `channel` through `client`'s shared pub/sub connection; returns the function that stops it. */
export function listen(
  client: RedisClientLike,
  channel: string,
  listener: ChannelListener,
): () => void {
  let hub = hubs.get(client);
  if (!hub) {
    hub = new SubscriberHub(client.duplicate(), () => hubs.delete(client));
    hubs.set(client, hub);
  }
  return hub.add(channel, listener);
}

class SubscriberHub {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly connection: RedisSubscriberLike,
    private readonly onClosed: () => void,
  ) {
    connection.on('message', (channel, message) => this.deliver(String(channel), String(message)));
    // After a reconnect, ioredis resubscribes on its own but says nothing when that is done; subscribing again
    // gives a reply to wait for, after which a store's full read cannot miss a message.
    connection.on('ready', () => {
      for (const [name, channel] of this.channels)
        if (!channel.pending) this.subscribe(name, channel);
    });
    // An 'error' listener also keeps ioredis from printing "Unhandled error event" on every reconnect attempt.
    connection.on('error', (error) => {
      for (const channel of this.channels.values())
        channel.listeners.forEach((l) => l.error(error));
    });
  }

  add(name: string, listener: ChannelListener): () => void {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = { listeners: new Set(), pending: false };
      this.channels.set(name, channel);
      this.subscribe(name, channel);
    } else if (!channel.pending) {
      const joined = channel;
      void Promise.resolve().then(() => {
        if (joined.listeners.has(listener)) listener.subscribed();
      });
    }
    channel.listeners.add(listener);
    return () => this.remove(name, listener);
  }

  private subscribe(name: string, channel: Channel): void {
    channel.pending = true;
    this.connection.subscribe(name).then(
      () => {
        channel.pending = false;
        if (this.channels.get(name) === channel) channel.listeners.forEach((l) => l.subscribed());
      },
      (error: unknown) => {
        channel.pending = false;
        channel.listeners.forEach((l) => l.error(error));
      },
    );
  }

  private deliver(name: string, message: string): void {
    this.channels.get(name)?.listeners.forEach((listener) => listener.message(message));
  }

  private remove(name: string, listener: ChannelListener): void {
    const channel = this.channels.get(name);
    if (!channel?.listeners.delete(listener) || channel.listeners.size > 0) return;
    this.channels.delete(name);
    if (this.channels.size === 0) {
      this.connection.disconnect();
      this.onClosed();
    } else if (this.connection.status === 'ready') {
      this.connection.unsubscribe(name).then(undefined, () => undefined);
    }
  }
}
