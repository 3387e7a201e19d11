package sms

import (
	"context"
	"fmt"

	"sesame/authapi"
	"sesame/server/mail"
)

// Outbox is a [Sender] that stores each message, marked as a text message,
// in the outbox of mails instead of sending it, for the local mailbox of a
// server that runs without an SMS gateway.
type Outbox struct {
	mails *mail.Outbox
}

// NewOutbox returns an Outbox that keeps its messages in store.
func NewOutbox(store mail.OutboxStore) *Outbox {
	return &Outbox{mails: mail.NewOutbox(store)}
}

// Send stores m in the outbox.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := o.mails.Keep(ctx, authapi.Mail{To: m.To, Text: m.Text, SMS: true}); err != nil {
		return fmt.Errorf("storing a text message in the outbox: %w", err)
	}
	return nil
}
