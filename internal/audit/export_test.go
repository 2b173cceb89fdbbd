package audit

// ForgetKey turns sealing off again, for tests that write a log in parts.
func ForgetKey() { key.Store(nil) }
