using Tocsin.Bench;

return args switch
{
    ["make-capture", var output, var sources, ..] => BenchCapture.Make(output, sources, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 8),
    ["flow-memory", ..] => FlowMemory.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000),
    ["store", var database] => StoreBench.Run(database),
    ["notify", ..] => NotifyBench.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Tocsin.Bench make-capture OUTPUT SOURCE_DIR [COPIES] | flow-memory [FLOWS] | store DATABASE | notify [ALERTS]");
    return 1;
}
