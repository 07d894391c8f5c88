import ScanModel

/// Gen2 inventory presets, named for what the warehouse is doing.
///
/// Gen2 tags keep an "inventoried" flag per session (S0–S3). In S0 the flag
/// falls back as soon as the tag leaves the field (or the carrier drops), so
/// a tag answers every round: right for *presence* (is the pallet still at
/// the door?). In S2/S3 the flag persists for seconds after a tag was read,
/// so with single-target A each tag answers once per sweep and weaker tags
/// get the air time: right for *cycle counts*, and the cause of the field
/// complaint "only new tags show up" when used for presence.
public enum LLRPInventoryPreset: String, Sendable, CaseIterable {
    /// Session 2, single target A (state-aware singulation, ~SL).
    case cycleCount = "cycle-count"
    /// Session 0, not state-aware (the reader's default, dual target on most readers).
    case presence = "presence"
}

/// The C1G2SingulationControl / C1G2InventoryCommand fields an ROSpec carries.
/// Standard LLRP only: no vendor (Impinj "search mode") extensions, so it
/// works on any certified reader; readers without state-aware singulation
/// answer ADD_ROSPEC with an error, which the session reports.
public struct LLRPGen2Settings: Hashable, Sendable {
    public var session: UInt8
    /// Tag-inventory-state-aware singulation with target A (single target).
    public var singleTargetA: Bool
    public var tagPopulation: UInt16
    public var tagTransitTimeMilliseconds: UInt32
    /// C1G2RFControl mode index from the reader's capability table; nil = reader default.
    public var modeIndex: UInt16?
    public var tari: UInt16

    public init(preset: LLRPInventoryPreset, tagPopulation: UInt16 = 32) {
        switch preset {
        case .cycleCount: session = 2; singleTargetA = true
        case .presence: session = 0; singleTargetA = false
        }
        self.tagPopulation = tagPopulation
        tagTransitTimeMilliseconds = 0
        modeIndex = nil
        tari = 0
    }
}

/// When the reader sends RO_ACCESS_REPORTs.
public enum LLRPReportTrigger: Hashable, Sendable {
    /// After every N tag reads (N = 1: each read at once), running continuously.
    case everyNTags(UInt16)
    /// Sweeps of a fixed length; one report at the end of each sweep.
    case endOfSweep(milliseconds: UInt32)
}

/// Everything that shapes one LLRP reader connection.
public struct LLRPReaderConfig: Hashable, Sendable {
    public var host: String
    public var port: UInt16 = 5084
    /// Antenna ports to use (1-based); empty = all antennas.
    public var antennas: [UInt16] = []
    public var gen2: LLRPGen2Settings
    public var reportTrigger: LLRPReportTrigger = .everyNTags(1)
    public var roSpecID: UInt32 = 1
    /// KEEPALIVE period forced on the reader.
    public var keepaliveMilliseconds: UInt32 = 5_000
    /// Missed keepalive periods before the link is declared dead.
    public var keepaliveMissLimit: Int = 3
    public var connectTimeoutMilliseconds: Int = 5_000
    public var responseTimeoutMilliseconds: Int = 10_000
    /// Wait for CLOSE_CONNECTION_RESPONSE before dropping the socket anyway.
    public var closeTimeoutMilliseconds: Int = 2_000
    /// Reconnect waits: 1 s doubling to 60 s unless `reconnect-max` says otherwise.
    public var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
    /// Reconnect when the byte stream loses framing (garbage, impossible
    /// lengths): on TCP that means a broken peer. Replay of logs turns it off.
    public var reconnectOnFramingError = true

    public init(host: String, preset: LLRPInventoryPreset = .presence) {
        self.host = host
        gen2 = LLRPGen2Settings(preset: preset)
    }

    /// Reader event notifications set on connect: all of them stated
    /// explicitly, so a reader left configured by someone else is brought to a
    /// known state. (0 hopping, 1 GPI, 2 ROSpec, 3 buffer warning,
    /// 4 reader exception, 5 RF survey, 6 AISpec, 7 AISpec details, 8 antenna.)
    public static let defaultEventNotifications: [(type: UInt16, enabled: Bool)] = [
        (0, false), (1, true), (2, false), (3, true), (4, true), (5, false), (6, false), (7, false), (8, true),
    ]

    /// The ROSpec parameter (LLRP §10.2.1): disabled on add, started by an
    /// explicit START_ROSPEC (null start trigger) and never stopping by itself.
    public func writeROSpec(into w: inout LLRPMessageWriter) {
        w.tlv(LLRPParameterType.roSpec) { w in
            w.u32(roSpecID)
            w.u8(0) // priority
            w.u8(0) // current state: disabled
            w.tlv(LLRPParameterType.roBoundarySpec) { w in
                w.tlv(LLRPParameterType.roSpecStartTrigger) { $0.u8(0) } // null: START_ROSPEC starts it
                w.tlv(LLRPParameterType.roSpecStopTrigger) { $0.u8(0); $0.u32(0) } // null
            }
            w.tlv(LLRPParameterType.aiSpec) { w in
                let ids = antennas.isEmpty ? [UInt16(0)] : antennas
                w.u16(UInt16(truncatingIfNeeded: ids.count))
                for a in ids { w.u16(a) }
                w.tlv(LLRPParameterType.aiSpecStopTrigger) { w in
                    switch reportTrigger {
                    case .everyNTags: w.u8(0); w.u32(0)
                    case .endOfSweep(let ms): w.u8(1); w.u32(ms) // duration
                    }
                }
                w.tlv(LLRPParameterType.inventoryParameterSpec) { w in
                    w.u16(1)  // InventoryParameterSpecID
                    w.u8(1)   // EPCglobal Class 1 Gen 2
                    for a in ids { writeAntennaConfiguration(antenna: a, into: &w) }
                }
            }
            w.tlv(LLRPParameterType.roReportSpec) { w in
                switch reportTrigger {
                case .everyNTags(let n): w.u8(2); w.u16(n) // N tags or end of ROSpec
                case .endOfSweep: w.u8(1); w.u16(0)        // end of AISpec
                }
                w.tlv(LLRPParameterType.tagReportContentSelector) { w in
                    // ROSpecID, SpecIndex, InvParamSpecID off; AntennaID, ChannelIndex,
                    // PeakRSSI, FirstSeen, LastSeen, TagSeenCount on; AccessSpecID off.
                    w.u16(0x1F80)
                }
            }
        }
    }

    private func writeAntennaConfiguration(antenna: UInt16, into w: inout LLRPMessageWriter) {
        w.tlv(LLRPParameterType.antennaConfiguration) { w in
            w.u16(antenna)
            w.tlv(LLRPParameterType.c1g2InventoryCommand) { w in
                w.u8(gen2.singleTargetA ? 0x80 : 0) // TagInventoryStateAware
                if let mode = gen2.modeIndex {
                    w.tlv(LLRPParameterType.c1g2RFControl) { $0.u16(mode); $0.u16(gen2.tari) }
                }
                w.tlv(LLRPParameterType.c1g2SingulationControl) { w in
                    w.u8((gen2.session & 3) << 6)
                    w.u16(gen2.tagPopulation)
                    w.u32(gen2.tagTransitTimeMilliseconds)
                    if gen2.singleTargetA {
                        // I = 0 (inventory target A), S = 1 (~SL: tags power up
                        // with SL deasserted, so every tag takes part).
                        w.tlv(LLRPParameterType.c1g2StateAwareSingulationAction) { $0.u8(0x40) }
                    }
                }
            }
        }
    }
}
