import Foundation
import Testing
import Devices
import ScanModel
@testable import Service

/// Issue 14: a device's `feedback` key. A profile, explicit bytes or steps,
/// GPO pulses for an LLRP reader; every mistake names its key path and
/// position.
@Suite struct FeedbackConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func device(_ driver: String, _ feedback: String) -> String {
        let at = driver == "llrp" ? #""host": "10.0.0.5""# : #""port": "/dev/ttyACM0""#
        return #"{"name": "d", "driver": "\#(driver)", \#(at), "feedback": \#(feedback)}"#
    }
    /// The third device (`devices[2]`) carries the feedback under test.
    func parse(_ driver: String, _ feedback: String) throws -> [FeedbackOutcome: FeedbackPlan] {
        let json = "{\(base), \"devices\": [" + #"{"name": "a", "driver": "line", "port": "/dev/ttyS0"}, {"name": "b", "driver": "line", "port": "/dev/ttyS1"}, "#
            + device(driver, feedback) + "]}"
        let config = try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
        #expect(try config.devices[2].deviceConfig().feedback == config.devices[2].feedback, "the runner gets what was parsed")
        return config.devices[2].feedback
    }
    func error(_ driver: String, _ feedback: String) -> String {
        do { _ = try parse(driver, feedback); return "no error" } catch let e as ConfigError {
            return e.checkedPositionThenKeyPathAndMessage(file: "test.json")
        } catch { return "\(error)" }
    }

    @Test func aProfileByName() throws {
        #expect(try parse("line", #""honeywell""#) == FeedbackProfile.honeywell.plans)
        #expect(try parse("line", #""datalogic""#) == FeedbackProfile.datalogic.plans)
    }

    @Test func aProfileWithAnOutcomeReplaced() throws {
        let plans = try parse("line", #"{"profile": "honeywell", "error": "\u001b8,\u001b8,"}"#)
        #expect(plans[.good] == FeedbackProfile.honeywell.plans[.good])
        #expect(plans[.error] == .bytes([0x1B, 0x38, 0x2C, 0x1B, 0x38, 0x2C]))
    }

    @Test func stepsWithBytesHexAndPauses() throws {
        let plans = try parse("line", #"{"good": "\u0007", "error": [{"bytes": "\u0007", "pause_ms": 250}, {"hex": "07 07"}]}"#)
        #expect(plans[.good] == .bytes([0x07]))
        #expect(plans[.error] == FeedbackPlan([.init([0x07], pauseAfter: .milliseconds(250)), .init([0x07, 0x07])]))
        #expect(plans[.warning] == nil, "an outcome left out keeps the driver's default")
    }

    @Test func gpoPulsesForAnLLRPReader() throws {
        let plans = try parse("llrp", #"{"gpo": {"good": {"port": 1, "ms": 200}, "error": {"port": 2, "ms": 1000, "count": 2, "gap_ms": 300}}}"#)
        #expect(plans[.good] == LLRPGPOStep.pulses(port: 1, length: .milliseconds(200), gap: .milliseconds(150)))
        #expect(plans[.error] == LLRPGPOStep.pulses(port: 2, length: .seconds(1), count: 2, gap: .milliseconds(300)))
        #expect(plans[.done] == nil)
    }

    @Test func mistakesNameTheKeyPath() {
        #expect(error("line", #"{"eror": "\u0007"}"#).hasPrefix("devices[2].feedback.eror: unknown key"))
        #expect(error("line", #"{"error": 7}"#).hasPrefix("devices[2].feedback.error: expected a string of bytes or a list of steps"))
        #expect(error("line", #"{"error": []}"#) == "devices[2].feedback.error: an empty plan signals nothing; leave the outcome out to keep the default")
        #expect(error("line", #"{"error": ""}"#) == "devices[2].feedback.error: must not be empty")
        #expect(error("line", #"{}"#) == "devices[2].feedback: give a \"profile\" or at least one of good, warning, error, done")
        #expect(error("line", #""symbol""#) == "devices[2].feedback: unknown feedback profile 'symbol' (known: honeywell, datalogic, zebra, generic)")
        #expect(error("line", #"{"profile": "honywell"}"#).hasPrefix("devices[2].feedback.profile: unknown feedback profile 'honywell'"))
        #expect(error("line", #"{"error": [{"hex": "0G"}]}"#).hasPrefix("devices[2].feedback.error[0].hex: '0G' is not pairs of hex digits"))
        #expect(error("line", #"{"error": [{"bytes": "a", "hex": "07"}]}"#) == "devices[2].feedback.error[0]: give exactly one of \"bytes\" or \"hex\"")
        #expect(error("line", #"{"good": "é"}"#).hasPrefix("devices[2].feedback.good: only ASCII characters"))
        #expect(error("line", #"{"gpo": {"good": {"port": 1, "ms": 5}}}"#).hasPrefix("devices[2].feedback.gpo: unknown key"))
    }

    @Test func feedbackThatDoesNotFitTheDriverIsAnError() {
        #expect(error("llrp", #""honeywell""#).hasPrefix("devices[2].feedback: an llrp reader signals through its outputs"))
        #expect(error("llrp", #"{"profile": "zebra"}"#).hasPrefix("devices[2].feedback.profile: unknown key"))
        #expect(error("evdev", #""generic""#).hasPrefix("devices[2].feedback: driver 'evdev' has no way back to the device"))
        #expect(error("tsl", #""honeywell""#) == "devices[2].feedback: profile 'honeywell' is for line devices, not driver 'tsl'")
        #expect(error("llrp", #"{"gpo": {"good": {"port": 0, "ms": 100}}}"#).hasPrefix("devices[2].feedback.gpo.good.port:"))
        #expect(error("llrp", #"{"gpo": {"good": {"port": 1}}}"#).hasPrefix("devices[2].feedback.gpo.good.ms:"))
        #expect(error("llrp", #"{"gpo": {"busy": {"port": 1, "ms": 1}}}"#).hasPrefix("devices[2].feedback.gpo.busy: unknown key"))
        #expect(error("llrp", #"{"gpo": {}}"#) == "devices[2].feedback.gpo: map at least one of good, warning, error, done to a port")
    }
}
