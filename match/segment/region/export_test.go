package region
