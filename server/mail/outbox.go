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

// Send stores m under a fresh random ID, sent now (UTC).
func (o *Outbox) Send(ctx context.Context, m Message) error {
	var id [16]byte
	rand.Read(id[:]) // never fails
	err := o.store.AddMail(ctx, authapi.Mail{
		ID:      hex.EncodeToString(id[:]),
		To:      m.To,
		Subject: m.Subject,
		Text:    m.Text,
		HTML:    m.HTML,
		SentAt:  time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("storing mail in the outbox: %w", err)
	}
	return nil
}
