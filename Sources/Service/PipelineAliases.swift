import Pipeline

// `Pipeline` is both the module and its main class, and Stations has its own
// CycleReport: this file imports only Pipeline and names its types uniquely.
typealias PipelineCycleReport = CycleReport
