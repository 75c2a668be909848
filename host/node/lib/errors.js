// The one error type of the package. A failure the plugin (or a host function on its behalf) reports carries the
// flow-error code of wit/flow.wit, so callers branch on `code`, never on message text.

/** A sign-in failure with a stable code: login_required, transient, bad_input, storage_unavailable, ... */
export class WasmloginError extends Error {
  constructor(code, message, { serverError, serverDescription, retryAfterSeconds } = {}) {
    super(message)
    this.name = 'WasmloginError'
    this.code = code
    if (serverError != null) this.serverError = serverError
    if (serverDescription != null) this.serverDescription = serverDescription
    if (retryAfterSeconds != null) this.retryAfterSeconds = retryAfterSeconds
  }

  // fromFlowError wraps the plugin's {code, message, server_error, ...} envelope.
  static fromFlowError(e) {
    return new WasmloginError(e.code, e.message, {
      serverError: e.server_error, serverDescription: e.server_description, retryAfterSeconds: e.retry_after_seconds,
    })
  }
}

// exitCode maps a failure to the Go CLI's documented exit codes (host/cli/exitcodes.go), through the flow error's
// code so that the meaning is the plugin's: 2 usage, 3 login required, 4 transient, 5 no secret storage, 6 refused
// by the server or failed validation, 1 anything else.
export function exitCode(e) {
  switch (e instanceof WasmloginError ? e.code : undefined) {
    case 'bad_input': return 2
    case 'login_required': case 'unknown_flow': return 3
    case 'transient': return 4
    case 'storage_unavailable': return 5
    case 'server_error': case 'callback_rejected': case 'id_token_invalid': case 'invalid_response': return 6
    default: return 1
  }
}
