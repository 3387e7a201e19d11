package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"sesame/authapi"
)

// OutboxStore keeps the mails of the local outbox.
type OutboxStore interface {
	AddMail(ctx context.Context, m authapi.Mail) error
}

// Outbox is a [Mailer] that stores each message instead of sending it, for
// the local mailbox of a server that runs without a mail server.
type Outbox struct {
	store OutboxStore
}

// NewOutbox returns an Outbox that keeps its mails in store.
func NewOutbox(store OutboxStore) *Outbox {
	return &Outbox{store: store}
}

// Send stores m in the outbox.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := o.Keep(ctx, authapi.Mail{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}); err != nil {
		return fmt.Errorf("storing mail in the outbox: %w", err)
	}
	return nil
}

// Keep stores m under a fresh random ID, sent now (UTC); the outbox of
// text messages keeps its messages here too.
func (o *Outbox) Keep(ctx context.Context, m authapi.Mail) error {
	var id [16]byte
	rand.Read(id[:]) // never fails
	m.ID, m.SentAt = hex.EncodeToString(id[:]), time.Now().UTC()
	return o.store.AddMail(ctx, m)
}
