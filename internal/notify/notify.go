// Package notify sends the messages Oikos owes people (a referral assigned,
// accepted or closed; a sign-in link) through a table-backed outbox that a
// background worker in the same binary delivers by SMTP.
package notify
