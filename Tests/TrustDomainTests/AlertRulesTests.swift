import Foundation
import Testing

@testable import TrustDomain

@Suite("Alert rules")
struct AlertRulesTests {
    static let json = """
        {"sender": {"name": "W", "address": "w@focus-trust.local"}, "recipient_role": "operator",
         "extra_recipients": ["oncall@focus-trust.local"], "failed_deliveries": 3, "failed_window_hours": 24,
         "relay_paused_minutes": 15, "stale_intervals": 4, "disk_free_percent": 10}
        """
    let config = try! AlertConfig.load(from: Data(json.utf8))
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func eachRuleOpensAtItsThresholdAndNotBelow() {
        let quiet = AlertObservation(deadLetters: ["q": 0], failedDeliveries: 2, relayPausedSince: now.addingTimeInterval(-899),
                                     metricsAge: ["w": 20], diskFreePercent: 10)
        #expect(AlertRules.evaluate(quiet, config: config, metricsInterval: 5, now: now).isEmpty)
        let loud = AlertObservation(deadLetters: ["q": 2], failedDeliveries: 3, relayPausedSince: now.addingTimeInterval(-900),
                                    metricsAge: ["w": 20.5], diskFreePercent: 9.9)
        #expect(AlertRules.evaluate(loud, config: config, metricsInterval: 5, now: now).map(\.key)
            == ["dead-letters:q", "disk-space", "failed-deliveries", "relay-paused", "stale-worker:w"])
    }

    @Test func aPersistingIncidentSaysNothingAndAClearedOneResolves() {
        let active = AlertRules.evaluate(AlertObservation(deadLetters: ["a": 1, "b": 3]), config: config,
                                         metricsInterval: 5, now: now)
        let first = AlertRules.transitions(open: [], active: active)
        #expect(first.opened.map(\.key) == ["dead-letters:a", "dead-letters:b"] && first.resolved.isEmpty)
        let again = AlertRules.transitions(open: ["dead-letters:a", "dead-letters:b"], active: active)
        #expect(again.opened.isEmpty && again.resolved.isEmpty)
        let cleared = AlertRules.transitions(open: ["dead-letters:a", "dead-letters:b"], active: [active[1]])
        #expect(cleared.opened.isEmpty && cleared.resolved == ["dead-letters:a"])
    }

    @Test func recipientsAreTheActiveOperatorsAndTheExtraAddressesOnce() {
        let directory = Directory(people: [
            Person(name: "Op One", email: "op1@focus-trust.local", affiliation: .central, roles: [.operator], active: true),
            Person(name: "Gone", email: "op2@focus-trust.local", affiliation: .central, roles: [.operator], active: false),
            Person(name: "Not", email: "x@focus-trust.local", affiliation: .central, roles: [.centralTeam], active: true),
            Person(name: "On Call", email: "ONCALL@focus-trust.local", affiliation: .central, roles: [.operator], active: true),
        ])
        #expect(config.recipients(in: directory).map(\.address) == ["op1@focus-trust.local", "ONCALL@focus-trust.local"])
    }

    @Test func aBadThresholdNamesFileFieldAndValue() {
        let bad = Self.json.replacingOccurrences(of: "\"stale_intervals\": 4", with: "\"stale_intervals\": 1")
        #expect(throws: ConfigError.self) { try AlertConfig.load(from: Data(bad.utf8)) }
        do { _ = try AlertConfig.load(from: Data(bad.utf8)) } catch {
            #expect("\(error)".contains("alerts.json") && "\(error)".contains("stale_intervals") && "\(error)".contains("1"))
        }
    }
}
