import Foundation
import Mail
import Testing

/// Which replies stop a sender (every message would fail alike) and which are one recipient's.
@Suite struct ReplyScopeTests {
    @Test(arguments: [
        (421, "421 4.3.2 Service not available, closing transmission channel", SMTPStage.message, MailError.Scope.sender),
        (432, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", .message, .sender),
        (451, "451 4.3.2 too many concurrent connections", .recipient, .sender),
        (530, "530 5.7.57 Client not authenticated to send mail", .mail, .sender),
        (535, "535 5.7.3 Authentication unsuccessful", .auth, .sender),
        (550, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", .mail, .sender),
        (554, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", .message, .quota),
        (550, "550 5.1.1 <left@x.org>: recipient rejected", .recipient, .recipient),
        (552, "552 5.2.2 mailbox full", .recipient, .recipient),
        (451, "451 4.1.1 <busy@x.org>: recipient deferred, try later", .recipient, .recipient),
        (550, "550 5.7.1 delivery not authorized for this recipient", .recipient, .recipient),
        (554, "554 5.6.0 message content rejected", .message, .recipient),
    ])
    func scope(code: Int, reply: String, stage: SMTPStage, expected: MailError.Scope) {
        #expect(SMTPTransport.scope(replyCode: code, reply: reply, stage: stage) == expected)
    }

    @Test func tokenLifetimesAreRefreshedBeforeTheyLapse() {
        #expect(ClientCredentialsTokens.refreshAfter(lifetime: 3_600) == 3_300)
        #expect(ClientCredentialsTokens.refreshAfter(lifetime: 2) == 1.6)
    }
}
