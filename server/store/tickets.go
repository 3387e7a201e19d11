package store

import (
	"strings"

	"sesame/authapi"
)

// What both stores share of the tickets.

// TicketAnswer is what AnswerTicket makes of e and the reply text: the
// ticket's new status, the audit log's reason (the ticket's number, then
// the operator's reason) and outcome; ErrUnknownAction for an action
// that is not a ticket's, or a reply with no text.
func TicketAnswer(number, text string, e AuditEntry) (status, reason, outcome string, err error) {
	reason = strings.TrimSpace("ticket " + number + "; " + e.Reason)
	reason = strings.TrimSuffix(reason, ";")
	switch {
	case e.Action == ActionTicketReply && text != "":
		return authapi.TicketAnswered, reason, "replied", nil
	case e.Action == ActionTicketClose && text != "":
		return authapi.TicketClosed, reason, "replied and closed", nil
	case e.Action == ActionTicketClose:
		return authapi.TicketClosed, reason, "closed", nil
	}
	return "", "", "", ErrUnknownAction
}
