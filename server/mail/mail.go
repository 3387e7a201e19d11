// Package mail sends the mails of the reference auth server: verification
// and reset codes, and notices about changes to an account.
//
// [Compose] builds a [Message] of a [Kind] from its [Data], in the
// language the data names, from the embedded templates: templates/layout.txt
// and layout.html frame every mail, templates/<language>/common.txt holds
// a language's shared words and <kind>.txt (subject and body) and
// <kind>.html (body) each kind. A folder of such files adds a language. A [Mailer]
// delivers it: [SMTP] through a mail server, always over TLS, or [Outbox]
// into the server's own store, where the local mailbox reads it.
package mail

import "context"

// Message is one mail to one recipient: a text part and, when HTML is
// not empty, its HTML alternative.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer delivers messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
