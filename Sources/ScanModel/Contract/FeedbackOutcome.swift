/// What the operator must hear or see after one input, whatever the device.
/// Stations decide it; each device family turns it into its own beeps,
/// lights or output pins (`FeedbackPlan` in Devices). Four outcomes, because
/// a packer must tell "refused" from "accepted, but look" from "order done"
/// without looking at a screen.
public enum FeedbackOutcome: String, CaseIterable, Hashable, Sendable, Codable {
    /// Accepted.
    case good
    /// Accepted with a note (an override applied, an exception recorded).
    case warning
    /// Refused: nothing changed.
    case error
    /// Accepted and the document is complete (receipt closed, order packed,
    /// count approved).
    case done
}
