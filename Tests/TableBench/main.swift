// Reads every row of a file through TableReader, the one reader of the workers and trustctl,
// and prints {"rows":…,"cells":…,"seconds":…} for `scripts/bench xlsx`. Not part of the product.
//
//   TableBench FILE [--sheet NAME] [--limits raised|survey|drop]
// raised (the default) lifts the limits past any real export, so that the figure is the
// reader's speed, not a cap; survey and drop are the workers' own, for the hostile figures.
import Foundation
import TrustDomain

let args = Array(CommandLine.arguments.dropFirst())
guard let path = args.first, let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("usage: TableBench FILE [--sheet NAME]\n".utf8))
    exit(1)
}
let sheet = args.firstIndex(of: "--sheet").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
let bytes = [UInt8](data)
let limits = switch args.firstIndex(of: "--limits").flatMap({ $0 + 1 < args.count ? args[$0 + 1] : nil }) {
case "survey": CSVLimits.standard
case "drop": DataDropFile.defaultLimits
default: CSVLimits(maxBytes: 1 << 30, maxColumns: 1_000, maxFieldBytes: 1 << 20, maxRows: 10_000_000)
}
let start = DispatchTime.now().uptimeNanoseconds
var rows = 0, cells = 0
do {
    var reader = try TableReader(bytes, limits: limits, sheet: sheet)
    while let row = try reader.next() {
        rows += 1
        cells += row.fields.count
    }
} catch {
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    struct Refused: Encodable { let error: String; let seconds: Double }
    print(String(decoding: try JSONEncoder().encode(Refused(error: error.description, seconds: seconds)), as: UTF8.self))
    exit(3)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("{\"rows\":\(rows),\"cells\":\(cells),\"seconds\":\(seconds)}")
