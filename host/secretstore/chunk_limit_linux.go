package secretstore

// The Secret Service has no small limit, and every extra entry is another
// round of D-Bus calls on the warm `token` path, so only values beyond a
// typical token set (an ID token, a refresh token, claims) are split.
const maxEntryBytes = 16 << 10
