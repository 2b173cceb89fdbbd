package oikos

// Actor is who does something, for the audit log: a user's id (or
// "system", "anonymous", a person's own session) and the client address
// the request came from. Every domain package takes this one type.
type Actor struct{ UserID, Client string }
