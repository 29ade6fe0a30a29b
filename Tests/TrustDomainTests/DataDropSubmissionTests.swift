import Testing

@testable import TrustDomain

private let academies: Set<AcademyID> = [AcademyID("birstall"), AcademyID("manor-green"),
                                         AcademyID("coppice")]
private let autumn = DropID(startYear: 2026, term: .autumn)

private func route(key: String? = "birstall", header: String? = nil, user: String? = nil,
                   drop: String? = "2026-27/autumn") -> Result<RoutedDrop, DropSubmissionRejected> {
    Result { () throws(DropSubmissionRejected) in
        try DropSubmission.route(routingKeyAcademy: key, headerAcademy: header, userID: user,
                                 knownAcademies: academies, dropHeader: drop)
    }
}

private func problems(key: String? = "birstall", header: String? = nil, user: String? = nil,
                      drop: String? = "2026-27/autumn") -> [String] {
    guard case .failure(let rejected) = route(key: key, header: header, user: user, drop: drop)
    else { return [] }
    return rejected.problems.map(\.description)
}

@Suite("Data-drop submission routing")
struct DataDropSubmissionTests {
    @Test func routingKeyAloneIsEnough() throws {
        #expect(try route().get() == RoutedDrop(academy: AcademyID("birstall"), drop: autumn))
    }

    @Test func headerAloneIsEnough() throws {
        #expect(try route(key: nil, header: "manor-green", drop: " 2026-27/spring ").get()
            == RoutedDrop(academy: AcademyID("manor-green"),
                          drop: DropID(startYear: 2026, term: .spring)))
    }

    @Test func agreeingKeyHeaderAndAcademyUser() throws {
        #expect(try route(header: "birstall", user: "birstall").get().academy == AcademyID("birstall"))
    }

    @Test func missingAcademy() {
        #expect(problems(key: nil) == [
            "no academy given; publish with the routing key datadrop.<academy>",
        ])
        #expect(problems(key: "", header: "  ") == problems(key: nil))
    }

    @Test func unknownAcademies() {
        #expect(problems(key: "Birstall") == [
            "unknown academy \"Birstall\" in the routing key; use an academy id from Config/academies.json, such as manor-green",
        ])
        #expect(problems(header: "nowhere") == [
            "unknown academy \"nowhere\" in the x-academy header; use an academy id from Config/academies.json, such as manor-green",
        ])
    }

    @Test func disagreeingAcademies() {
        #expect(problems(header: "coppice") == [
            "the routing key names \"birstall\" but the x-academy header names \"coppice\"; they must name the same academy",
        ])
    }

    @Test func academyUserMayOnlySubmitForItself() {
        #expect(problems(user: "coppice") == [
            "the academy user \"coppice\" may submit drops only for its own academy, not \"birstall\"",
        ])
        #expect(problems(key: nil, header: "birstall", user: "coppice").count == 1)
    }

    @Test(arguments: ["trust-operator", "worker", "guest", "", nil] as [String?])
    func nonAcademyUsersMaySubmitForAnyAcademy(user: String?) throws {
        for academy in academies {
            #expect(try route(key: academy.rawValue, user: user).get().academy == academy)
        }
    }

    @Test func missingDrop() {
        #expect(problems(drop: nil) == [
            "the x-drop header is missing; it names the drop, such as 2026-27/autumn",
        ])
        #expect(problems(drop: " ") == problems(drop: nil))
    }

    @Test(arguments: ["2026/autumn", "2026-28/autumn", "2026-27/winter", "2026-27", "26-27/autumn"])
    func invalidDrop(text: String) {
        #expect(problems(drop: text) == [
            "the x-drop header \"\(text)\" is not a drop; write it as YYYY-YY/term, such as 2026-27/autumn",
        ])
    }

    @Test func everyProblemIsReported() {
        #expect(problems(key: "nowhere", header: "coppice", user: "coppice", drop: "autumn") == [
            "unknown academy \"nowhere\" in the routing key; use an academy id from Config/academies.json, such as manor-green",
            "the academy user \"coppice\" may submit drops only for its own academy, not \"nowhere\"",
            "the x-drop header \"autumn\" is not a drop; write it as YYYY-YY/term, such as 2026-27/autumn",
        ])
    }

    @Test func valuesInMessagesAreMadeSafe() {
        #expect(problems(key: "a\u{1B}[31mred") == [
            "unknown academy \"a\\u{1B}[31mred\" in the routing key; use an academy id from Config/academies.json, such as manor-green",
        ])
    }

    @Test func academyFromRoutingKey() {
        #expect(DropSubmission.academy(fromRoutingKey: "datadrop.manor-green") == "manor-green")
        #expect(DropSubmission.academy(fromRoutingKey: "survey.parents") == nil)
    }
}
