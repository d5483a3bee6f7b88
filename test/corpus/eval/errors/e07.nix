head [ ]
