// Package mail sends the mails of the reference auth server: verification
// and reset codes, and notices about changes to an account.
//
// [Compose] builds a [Message] of a [Kind] from its [Data]. A [Mailer]
// delivers it: [SMTP] through a mail server, always over TLS, or [Outbox]
// into the server's own store, where the local mailbox reads it.
package mail

import "context"

// Message is one plain-text mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    string
}

// Mailer delivers messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
