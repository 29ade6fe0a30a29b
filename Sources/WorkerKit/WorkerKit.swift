// WorkerKit
