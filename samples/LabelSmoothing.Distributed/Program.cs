using LabelSmoothing.Distributed;

return DistributedApp.Run(args);
