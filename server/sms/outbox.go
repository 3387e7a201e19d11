package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"sesame/authapi"
)

// OutboxStore keeps the messages of the local outbox.
type OutboxStore interface {
	AddMail(ctx context.Context, m authapi.Mail) error
}

// Outbox is a [Sender] that stores each message, marked as a text message,
// in the outbox of mails instead of sending it, for the local mailbox of a
// server that runs without an SMS gateway.
type Outbox struct {
	store OutboxStore
}

// NewOutbox returns an Outbox that keeps its messages in store.
func NewOutbox(store OutboxStore) *Outbox {
	return &Outbox{store: store}
}

// Send stores m under a fresh random ID, sent now (UTC).
func (o *Outbox) Send(ctx context.Context, m Message) error {
	var id [16]byte
	rand.Read(id[:]) // never fails
	err := o.store.AddMail(ctx, authapi.Mail{ID: hex.EncodeToString(id[:]), To: m.To, Text: m.Text, SentAt: time.Now().UTC(), SMS: true})
	if err != nil {
		return fmt.Errorf("storing a text message in the outbox: %w", err)
	}
	return nil
}
