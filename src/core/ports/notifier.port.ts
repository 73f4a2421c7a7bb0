/** A message to one subscriber. `key` identifies it across retries (check-in id + kind). */
export interface OutboundMessage {
  readonly key: string;
  readonly msisdn: string;
  readonly text: string;
  /** The request that made the check-in, when this process still knows it (logs only). */
  readonly requestId?: string;
}

export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /**
       * Whether the gateway may have taken the message anyway (a timeout after the request
       * left). The caller decides whether to risk a duplicate.
       */
      readonly ambiguous: boolean;
    };

/** Sends subscriber messages (SMS gateway, log, file). One outcome per message, in order. */
export interface NotifierPort {
  send(messages: readonly OutboundMessage[]): Promise<SendOutcome[]>;
  close(): Promise<void>;
}
