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
	reason = TicketReason(number, e.Reason)
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

// TicketReason is the audit log's reason of an action taken from the
// ticket number: the number, then the operator's reason, if any.
func TicketReason(number, reason string) string {
	if reason = strings.TrimSpace(reason); reason != "" {
		return "ticket " + number + "; " + reason
	}
	return "ticket " + number
}
