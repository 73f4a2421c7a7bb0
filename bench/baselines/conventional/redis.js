// Redis settings shared by the conventional server and its worker.
export function redisConnection() {
  // BullMQ requires maxRetriesPerRequest: null on its blocking connections.
  return { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
}

/** The leaderboard sorted set the worker keeps and the read path serves. */
export function boardKey(prefix, board) {
  return `${prefix}:board:${board}`;
}
